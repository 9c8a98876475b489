package dev.vigil.provisioning;

/**
 * What the server needs to know about the holder of a key, at the handshake and on every request.
 *
 * @param deviceId registry id, stable for the device's life
 * @param name operator-chosen unique name
 * @param keyState the state of the key that was presented
 */
public record DeviceIdentity(long deviceId, String name, String profile, DeviceState state, KeyState keyState) {

    /** Whether this key may complete a handshake and use the device's policy. */
    public boolean isTrusted() {
        return state == DeviceState.ACTIVE && keyState == KeyState.ACTIVE;
    }
}
