package dev.vigil.provisioning.devices;

/**
 * One device of a manufacturer manifest: a name, a profile, and its key — the public key (DER
 * SubjectPublicKeyInfo) or, when the manufacturer only publishes it, the key id.
 *
 * @param publicKey DER SubjectPublicKeyInfo, or null when only {@code keyId} is known
 */
public record ManifestRow(String name, String profile, String keyId, byte[] publicKey) {
}
