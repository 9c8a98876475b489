package dev.vigil.provisioning.gateways;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets the registry must keep but must not hold in the clear (OSCORE master secrets, PSKs): AES-256-GCM with
 * a fresh 12-byte nonce, the owner's name as associated data (a sealed value copied to another row does not
 * open), the key in a 0600 file beside the database, never in it. Base64 of nonce, ciphertext and tag.
 */
public final class SecretSeal {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    private SecretSeal(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** The seal whose key is in {@code file}, made there (0600, 32 random bytes, base64) if there is none. */
    public static SecretSeal fromKeyFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] fresh = new byte[32];
            RANDOM.nextBytes(fresh);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, Base64.getEncoder().encodeToString(fresh) + "\n", StandardCharsets.US_ASCII);
            } catch (FileAlreadyExistsException e) {
                // another node process made it first: read theirs
            }
        }
        byte[] key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
        if (key.length != 32) {
            throw new IOException(file + " does not hold a 256-bit key");
        }
        return new SecretSeal(key);
    }

    String seal(byte[] secret, String owner) {
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        byte[] sealed = cipher(Cipher.ENCRYPT_MODE, nonce, owner).apply(secret);
        byte[] out = Arrays.copyOf(nonce, nonce.length + sealed.length);
        System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
        return Base64.getEncoder().encodeToString(out);
    }

    /** The secret; throws IllegalStateException if it was not sealed with this key for this owner. */
    byte[] open(String sealed, String owner) {
        byte[] in = Base64.getDecoder().decode(sealed);
        return cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(in, 12), owner).apply(Arrays.copyOfRange(in, 12, in.length));
    }

    private java.util.function.UnaryOperator<byte[]> cipher(int mode, byte[] nonce, String owner) {
        return data -> {
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(mode, key, new GCMParameterSpec(128, nonce));
                cipher.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
                return cipher.doFinal(data);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("a sealed secret does not open with this node's oscore-key", e);
            }
        };
    }
}
