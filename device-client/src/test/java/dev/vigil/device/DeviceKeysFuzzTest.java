package dev.vigil.device;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;

/**
 * Fuzzes the key files {@code vigil-device} reads: its own key pair ({@code device-key.pem},
 * {@code device-key.next.pem}) and the server key it pins ({@code --server-key}). Oracle: an EC or Ed25519
 * key pair or an EC/Ed25519 public key, or an IOException whose one line names the file; anything else
 * would reach the user as an exception's name. Regression inputs: {@code DeviceKeysFuzzTestInputs/<method>/}.
 */
class DeviceKeysFuzzTest {

    @FuzzTest
    @DictionaryEntries({"-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----", "-----BEGIN PRIVATE KEY-----",
        "-----END PRIVATE KEY-----", "=="})
    void keyPair(byte[] bytes) {
        try {
            KeyPair pair = DeviceKeys.parseKeyPair(new String(bytes, StandardCharsets.ISO_8859_1), "fuzz");
            require(pair.getPublic() instanceof ECPublicKey && pair.getPrivate() instanceof ECPrivateKey
                    || pair.getPublic() instanceof EdECPublicKey && pair.getPrivate() instanceof EdECPrivateKey,
                    "an EC or Ed25519 key pair", pair);
        } catch (IOException refused) {
            checkRefusal(refused);
        }
    }

    @FuzzTest
    @DictionaryEntries({"-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----", "=="})
    void publicKey(byte[] bytes) {
        try {
            PublicKey key = DeviceKeys.parsePublicKey(new String(bytes, StandardCharsets.ISO_8859_1), "fuzz");
            require(key instanceof ECPublicKey || key instanceof EdECPublicKey, "an EC or Ed25519 key", key);
        } catch (IOException refused) {
            checkRefusal(refused);
        }
    }

    private static void checkRefusal(IOException refused) {
        require(refused.getMessage() != null && refused.getMessage().startsWith("fuzz: ")
                && refused.getMessage().lines().count() == 1, "one line naming the file", refused.getMessage());
    }

    private static void require(boolean holds, String what, Object value) {
        if (!holds) {
            throw new AssertionError("expected " + what + ", got " + value);
        }
    }
}
