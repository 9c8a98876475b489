package dev.vigil.provisioning.devices;

import dev.vigil.provisioning.keys.KeyState;
import java.time.Instant;

/**
 * What the server needs to know about the holder of a key, at the handshake and on every request.
 *
 * @param deviceId registry id, stable for the device's life
 * @param name operator-chosen unique name
 * @param keyState the state of the key that was presented
 * @param keyActivatedAt when that key became ACTIVE (null if it is not active)
 * @param rotationRequested an operator asked the device to rotate its key
 */
public record DeviceIdentity(long deviceId, String name, String profile, DeviceState state, KeyState keyState,
        Instant keyActivatedAt, boolean rotationRequested) {

    /** Whether this key may use the device's policy: an ACTIVE key of an ACTIVE device. */
    public boolean isTrusted() {
        return state == DeviceState.ACTIVE && keyState == KeyState.ACTIVE;
    }

    /** Whether this key may complete a DTLS handshake at all (restricted states included). */
    public boolean mayConnect() {
        return switch (state) {
            case ACTIVE, QUARANTINED, PENDING, PROVISIONED -> keyState == KeyState.ACTIVE
                    || (state != DeviceState.PENDING && keyState == KeyState.PENDING_ROTATION);
            case SUSPENDED, DECOMMISSIONED -> false;
        };
    }

    /** A key of a decommissioned device, or a revoked key: seeing it again is a security event. */
    public boolean isTombstoned() {
        return state == DeviceState.DECOMMISSIONED || keyState == KeyState.REVOKED;
    }
}
