package dev.vigil.policy;

/**
 * How far the trust engine currently trusts a device (DESIGN.md "Trust"), lowest first. Besides a
 * profile's own {@code minTier}, the engine always applies the tiers' meaning: {@link #QUARANTINED}
 * devices may only use services, {@link #LIMITED} devices may send but receive no commands.
 */
public enum TrustTier {
    /** Remediation only: granted services, nothing else. */
    QUARANTINED,
    /** Uplink only: no commands are delivered. */
    LIMITED,
    /** The whole profile. */
    TRUSTED;

    /** Whether this tier is {@code minimum} or above. */
    public boolean atLeast(TrustTier minimum) {
        return compareTo(minimum) >= 0;
    }
}
