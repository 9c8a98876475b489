package dev.vigil.provisioning.devices;

import java.time.Instant;

/** A registered device as operators see it; {@code id} is its registry id, {@code keyId} its ACTIVE key (null if none). */
public record Device(long id, String name, String keyId, String profile, DeviceState state, Instant createdAt,
        Instant updatedAt) {
}
