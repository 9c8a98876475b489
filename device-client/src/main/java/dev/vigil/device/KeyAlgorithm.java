package dev.vigil.device;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;

/**
 * The algorithm of a device key: EC P-256 (the default; what libcoap 4.3.1 can use too) or Ed25519 (smaller keys
 * and signatures, cheaper to sign and check; Scandium and Vigil only).
 */
public enum KeyAlgorithm {
    P256("p256", "EC"), ED25519("ed25519", "Ed25519");

    private final String option;
    private final String jcaName;

    KeyAlgorithm(String option, String jcaName) {
        this.option = option;
        this.jcaName = jcaName;
    }

    /** The name on the command line: {@code p256}, {@code ed25519}. */
    public String option() {
        return option;
    }

    /** The JCA name of its key factory and key pair generator. */
    String jcaName() {
        return jcaName;
    }

    /** The JCA name of its signature: ECDSA over SHA-256, or Ed25519. */
    String signatureName() {
        return this == P256 ? "SHA256withECDSA" : "Ed25519";
    }

    /**
     * The signatures a device with a key of this algorithm offers in its handshake: its own, and ECDSA with SHA-256
     * for the server's P-256 key.
     */
    public List<SignatureAndHashAlgorithm> handshakeSignatures() {
        return this == P256 ? List.of(SignatureAndHashAlgorithm.SHA256_WITH_ECDSA)
                : List.of(SignatureAndHashAlgorithm.INTRINSIC_WITH_ED25519, SignatureAndHashAlgorithm.SHA256_WITH_ECDSA);
    }

    /**
     * The algorithm of a device key, read from its SubjectPublicKeyInfo, whichever provider made the key object
     * (SunEC names Ed25519 and Ed448 keys both "EdDSA").
     */
    public static KeyAlgorithm of(PublicKey key) {
        if (key instanceof ECPublicKey) {
            return P256;
        }
        byte[] spki = key.getEncoded();
        if (spki != null && spki.length == ED25519_SPKI_PREFIX.length + 32
                && Arrays.equals(spki, 0, ED25519_SPKI_PREFIX.length, ED25519_SPKI_PREFIX, 0, ED25519_SPKI_PREFIX.length)) {
            return ED25519;
        }
        throw new IllegalArgumentException("not an EC or Ed25519 key: " + key.getAlgorithm());
    }

    /** DER of an Ed25519 SubjectPublicKeyInfo up to its 32-byte key (RFC 8410). */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21,
        0x00};

    /** The algorithm named {@code p256} or {@code ed25519} (any case); an IllegalArgumentException saying so otherwise. */
    public static KeyAlgorithm named(String name) {
        return Arrays.stream(values()).filter(a -> a.option.equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("expected p256 or ed25519, not '" + name + "'"));
    }

    /** A fresh key pair of this algorithm. */
    KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(jcaName);
            if (this == P256) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(this + " is missing from this JVM", e);
        }
    }
}
