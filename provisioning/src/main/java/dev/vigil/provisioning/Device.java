package dev.vigil.provisioning;

import java.time.Instant;

/** A registered device as operators see it; {@code keyId} is its ACTIVE key (null if none). */
public record Device(String name, String keyId, String profile, DeviceState state, Instant createdAt,
        Instant updatedAt) {
}
