package dev.vigil.provisioning.keys;

/** Lifecycle of one device key (DESIGN.md "Lifecycle"). */
public enum KeyState {
    ACTIVE,
    /** A new key proven by the device, not yet used in a handshake. */
    PENDING_ROTATION,
    /** Replaced by a newer key. */
    RETIRED,
    REVOKED
}
