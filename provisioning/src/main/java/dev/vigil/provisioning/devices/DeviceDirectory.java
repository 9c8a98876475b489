package dev.vigil.provisioning.devices;

import java.util.Optional;

/**
 * The server's read-only view of the registry: who holds a key. Answers from a cache that every
 * registry change updates, so the handshake and the request gate never wait on the database for a
 * known key.
 */
public interface DeviceDirectory {

    /** The device holding the key with this id, if any key with this id was ever registered. */
    Optional<DeviceIdentity> findByKeyId(String keyId);
}
