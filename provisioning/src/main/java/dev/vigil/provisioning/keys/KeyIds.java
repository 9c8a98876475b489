package dev.vigil.provisioning.keys;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;

/**
 * A principal's id: the RFC 6920 name {@code ni:///sha-256;<base64url>} of the SHA-256 of its DER
 * SubjectPublicKeyInfo, the same string Californium's {@code RawPublicKeyIdentity.getName()} gives.
 */
public final class KeyIds {

    private static final String PREFIX = "ni:///sha-256;";

    private KeyIds() {
    }

    public static String of(PublicKey key) {
        return ofSubjectPublicKeyInfo(key.getEncoded());
    }

    public static String ofSubjectPublicKeyInfo(byte[] der) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
