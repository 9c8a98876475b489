package dev.vigil.provisioning.gateways;

import dev.vigil.provisioning.devices.DeviceState;

/** A gateway's registered child as operators see it; {@code keyId} is its ACTIVE key, or null if none. */
public record Child(String name, String profile, DeviceState state, ChildMode mode, String keyId) {
}
