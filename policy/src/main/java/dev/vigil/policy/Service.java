package dev.vigil.policy;

import java.util.Optional;

/**
 * Services a profile may grant. They are remediation paths: a granted service stays usable at every
 * trust tier, firmware version and time of day, so a device can always be brought back into line.
 */
public enum Service {
    /** Firmware manifest, image and status ({@code /fw}, {@code /fw/image}, {@code /fw/status}). */
    FIRMWARE("firmware"),
    /** Key rotation with proof of possession ({@code /key}). */
    KEY_ROTATION("key-rotation"),
    /** Onboarding with a one-time token ({@code /enroll}). */
    ENROLL("enroll");

    private final String id;

    Service(String id) {
        this.id = id;
    }

    /** The name used in policy documents and as the resource of {@link Action#USE_SERVICE}. */
    public String id() {
        return id;
    }

    /** The service with this id, if any. */
    public static Optional<Service> ofId(String id) {
        for (Service service : values()) {
            if (service.id.equals(id)) {
                return Optional.of(service);
            }
        }
        return Optional.empty();
    }
}
