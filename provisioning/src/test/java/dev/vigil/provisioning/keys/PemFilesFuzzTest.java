package dev.vigil.provisioning.keys;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;

/**
 * Fuzzes key files (every {@code --key}, {@code --operator-key}, {@code --server-key} and the data
 * directory's keys), public keys in management arguments and manifests, and the DER key of a rotation
 * ({@code POST /key}). Oracle: a key is an EC P-256 or Ed25519 key (a pair: one whose public key is
 * its private key's), or the input is refused with an IOException that names its source. Any other
 * exception or error is a finding. Regression inputs: {@code PemFilesFuzzTestInputs/<method>/}.
 */
class PemFilesFuzzTest {

    private static final String[] PEM = {"-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----",
        "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----"};

    @FuzzTest
    @DictionaryEntries({"-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
        "MCowBQYDK2VwAyEA", "="})
    void publicKey(byte[] bytes) {
        try {
            checkKey(PemFiles.parsePublicKey(new String(bytes, StandardCharsets.ISO_8859_1), "fuzz"));
        } catch (IOException refused) {
            checkRefusal(refused);
        }
    }

    @FuzzTest
    @DictionaryEntries({"-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----", "-----BEGIN PRIVATE KEY-----",
        "-----END PRIVATE KEY-----", "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg", "="})
    void keyPair(byte[] bytes) {
        try {
            KeyPair pair = PemFiles.parseKeyPair(new String(bytes, StandardCharsets.ISO_8859_1), "fuzz");
            checkKey(pair.getPublic());
            require(pair.getPrivate() != null, "a private key", pair);
        } catch (IOException refused) {
            checkRefusal(refused);
        }
    }

    @FuzzTest
    void subjectPublicKeyInfo(byte[] der) {
        try {
            checkKey(PemFiles.decodePublicKey(der, "fuzz"));
        } catch (IOException refused) {
            checkRefusal(refused);
        }
    }

    private static void checkKey(PublicKey key) {
        require(key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256
                || key instanceof EdECPublicKey, "an EC P-256 or Ed25519 key", key);
    }

    private static void checkRefusal(IOException refused) {
        require(refused.getMessage() != null && refused.getMessage().startsWith("fuzz: ")
                && refused.getMessage().lines().count() == 1, "one line naming the source", refused.getMessage());
    }

    static void require(boolean holds, String what, Object value) {
        if (!holds) {
            throw new AssertionError("expected " + what + ", got " + value);
        }
    }
}
