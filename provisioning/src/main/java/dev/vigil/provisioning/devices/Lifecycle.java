package dev.vigil.provisioning.devices;

import static dev.vigil.provisioning.devices.DeviceState.ACTIVE;
import static dev.vigil.provisioning.devices.DeviceState.DECOMMISSIONED;
import static dev.vigil.provisioning.devices.DeviceState.PENDING;
import static dev.vigil.provisioning.devices.DeviceState.PROVISIONED;
import static dev.vigil.provisioning.devices.DeviceState.QUARANTINED;
import static dev.vigil.provisioning.devices.DeviceState.SUSPENDED;

import dev.vigil.provisioning.Refusal;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The device lifecycle as an explicit state machine. Every transition is guarded: an illegal one
 * throws a {@link Refusal} with an exact message and nothing changes.
 *
 * <pre>
 * PROVISIONED --first handshake--> ACTIVE (or PENDING if the profile requires approval)
 * PENDING --approve--> ACTIVE
 * ACTIVE <--suspend/reinstate--> SUSPENDED <--quarantine/suspend--> QUARANTINED --reinstate--> ACTIVE
 * any but DECOMMISSIONED --decommission--> DECOMMISSIONED (terminal)
 * </pre>
 */
public enum Lifecycle {
    APPROVE(EnumSet.of(PENDING), "only pending devices await approval"),
    ACTIVATE(EnumSet.of(PROVISIONED), "only provisioned devices are activated by their first handshake"),
    SUSPEND(EnumSet.of(PROVISIONED, PENDING, ACTIVE, QUARANTINED), null),
    QUARANTINE(EnumSet.of(ACTIVE, SUSPENDED), null),
    REINSTATE(EnumSet.of(SUSPENDED, QUARANTINED), "only suspended or quarantined devices are reinstated"),
    DECOMMISSION(EnumSet.of(PROVISIONED, PENDING, ACTIVE, SUSPENDED, QUARANTINED), null),
    /** Not a state change: key rotation is allowed for active and quarantined (remediation) devices. */
    ROTATE(EnumSet.of(ACTIVE, QUARANTINED), null);

    private final Set<DeviceState> from;
    private final String hint;

    Lifecycle(Set<DeviceState> from, String hint) {
        this.from = from;
        this.hint = hint;
    }

    /** The verb, as operators type it: "approve", "suspend", ... */
    public String verb() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The state after this transition from {@code current}.
     *
     * @param activated the state an activation leads to (ACTIVE, or PENDING when approval is required)
     * @throws Refusal with reason ILLEGAL_TRANSITION if the transition is not allowed from {@code current}
     */
    public DeviceState next(DeviceState current, DeviceState activated) {
        if (!from.contains(current)) {
            String message = current == pastState() ? "device is already " + current.name().toLowerCase(Locale.ROOT)
                    : "cannot " + verb() + " " + current.withArticle() + " device" + (hint == null ? "" : ": " + hint);
            throw new Refusal(Refusal.Reason.ILLEGAL_TRANSITION, message);
        }
        return switch (this) {
            case APPROVE, REINSTATE -> ACTIVE;
            case ACTIVATE -> activated;
            case SUSPEND -> SUSPENDED;
            case QUARANTINE -> QUARANTINED;
            case DECOMMISSION -> DECOMMISSIONED;
            case ROTATE -> current;
        };
    }

    public DeviceState next(DeviceState current) {
        return next(current, ACTIVE);
    }

    /** Whether a device in {@code current} is already where this transition leads (a repeat is then no change). */
    public boolean reached(DeviceState current) {
        return current == pastState();
    }

    private DeviceState pastState() {
        return switch (this) {
            case SUSPEND -> SUSPENDED;
            case QUARANTINE -> QUARANTINED;
            case DECOMMISSION -> DECOMMISSIONED;
            case APPROVE, REINSTATE, ACTIVATE -> ACTIVE;
            case ROTATE -> null;
        };
    }
}
