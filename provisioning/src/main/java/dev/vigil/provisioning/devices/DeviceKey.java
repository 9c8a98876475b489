package dev.vigil.provisioning.devices;

import dev.vigil.provisioning.keys.KeyState;
import java.time.Instant;

/** One key a device holds or held. */
public record DeviceKey(String keyId, KeyState state, Instant createdAt, Instant activatedAt) {
}
