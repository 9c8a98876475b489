package dev.vigil.policy.trust;

/** Why the server refused a handshake that presented one of the device's keys. */
public enum HandshakeRefusal {
    /** The key is the device's, but the device is suspended. */
    SUSPENDED_KEY,
    /** The key is a retired or revoked key of the device: a tombstoned key showing up again. */
    TOMBSTONED_KEY,
    /** The key is registered to the device, but the peer did not prove possession of its private key. */
    PROOF_FAILED
}
