package dev.vigil.policy;

/**
 * When a device may send and receive commands ({@code /profiles/{name}/conditions}). They never gate
 * services, so a device outside its schedule or on old firmware can still be remediated.
 *
 * @param schedule when the device may talk, or null for any time
 * @param minFirmware dotted numeric version such as {@code "1.2.10"}, or null for any
 * @param minTier a {@link TrustTier} name, or null for the tier rules alone
 */
public record Conditions(Schedule schedule, String minFirmware, String minTier) {

    /** No conditions beyond the built-in tier rules. */
    public static final Conditions NONE = new Conditions(null, null, null);
}
