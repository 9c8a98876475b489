package dev.vigil.provisioning.operators;

import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.devices.KeyRotation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * Proof that an operator rotating its own key holds the new private key: a signature by the new key over
 * {@code "vigil-operator-key-rotation-v1" 0x00 currentKeyId 0x00 newKeySubjectPublicKeyInfo}. The request carrying
 * it is made over a DTLS session authenticated with the current key, so both keys are proven at once. Binding the
 * current key id means a proof made for one operator is worthless to any other, and a proof cannot be replayed:
 * the current key is refused once the rotation commits, and the new key, once claimed, can never be registered
 * again. The context string keeps the signature apart from a device's rotation proof ({@link KeyRotation}).
 */
public final class OperatorKeyProof {

    private static final byte[] CONTEXT = "vigil-operator-key-rotation-v1".getBytes(StandardCharsets.US_ASCII);

    private OperatorKeyProof() {
    }

    /** What the new key signs. */
    static byte[] signedBytes(String currentKeyId, PublicKey newKey) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(CONTEXT);
        bytes.write(0);
        bytes.writeBytes(currentKeyId.getBytes(StandardCharsets.UTF_8));
        bytes.write(0);
        bytes.writeBytes(newKey.getEncoded());
        return bytes.toByteArray();
    }

    /** The proof, made by the operator's CLI with the new private key. */
    public static byte[] sign(String currentKeyId, PublicKey newKey, PrivateKey newPrivateKey)
            throws GeneralSecurityException {
        Signature signer = Signature.getInstance(algorithm(newKey));
        signer.initSign(newPrivateKey);
        signer.update(signedBytes(currentKeyId, newKey));
        return signer.sign();
    }

    /** Refuses (DENIED) unless {@code proof} is the new key's signature for a rotation away from {@code currentKeyId}. */
    static void verify(String currentKeyId, PublicKey newKey, byte[] proof) {
        boolean valid;
        try {
            Signature verifier = Signature.getInstance(algorithm(newKey));
            verifier.initVerify(newKey);
            verifier.update(signedBytes(currentKeyId, newKey));
            valid = verifier.verify(proof);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            valid = false;
        }
        if (!valid) {
            throw Refusal.denied("the proof is not a signature by the new key over this rotation; nothing changed");
        }
    }

    private static String algorithm(PublicKey key) {
        return "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : key.getAlgorithm();
    }
}
