package dev.vigil.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Device keys for the load: made quickly with a private Bouncy Castle instance (not installed as a JVM
 * provider), then re-decoded with this JVM's default {@code KeyFactory} so that whatever provider the
 * JVM uses gets its own key objects (no per-operation key translation).
 */
public final class Keys {

    private static final Provider BC = new BouncyCastleProvider();

    private Keys() {
    }

    public static List<KeyPair> p256(int count) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            List<KeyPair> pairs = new ArrayList<>(count);
            KeyFactory native_ = KeyFactory.getInstance("EC");
            for (int i = 0; i < count; i++) {
                KeyPair pair = generator.generateKeyPair();
                pairs.add(new KeyPair(native_.generatePublic(new X509EncodedKeySpec(pair.getPublic().getEncoded())),
                        native_.generatePrivate(new PKCS8EncodedKeySpec(pair.getPrivate().getEncoded()))));
            }
            return pairs;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One line per key pair: base64 PKCS#8, space, base64 SubjectPublicKeyInfo. */
    public static void write(Path file, List<KeyPair> pairs) throws IOException {
        StringBuilder text = new StringBuilder();
        Base64.Encoder b64 = Base64.getEncoder();
        for (KeyPair pair : pairs) {
            text.append(b64.encodeToString(pair.getPrivate().getEncoded())).append(' ')
                    .append(b64.encodeToString(pair.getPublic().getEncoded())).append('\n');
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    public static List<KeyPair> read(Path file) throws IOException {
        try {
            KeyFactory ec = KeyFactory.getInstance("EC");
            List<KeyPair> pairs = new ArrayList<>();
            Base64.Decoder b64 = Base64.getDecoder();
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(" ");
                pairs.add(new KeyPair(ec.generatePublic(new X509EncodedKeySpec(b64.decode(parts[1]))),
                        ec.generatePrivate(new PKCS8EncodedKeySpec(b64.decode(parts[0])))));
            }
            return pairs;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public static java.security.PublicKey publicKey(String base64Spki) {
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64Spki)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
