package dev.vigil.bench;

import dev.vigil.provisioning.keys.DeviceKeyAlgorithms;
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
 * Device keys for the load (EC P-256 or Ed25519): made quickly with a private Bouncy Castle instance (not
 * installed as a JVM provider), then re-decoded with this JVM's default {@code KeyFactory} so that whatever
 * provider the JVM uses gets its own key objects (no per-operation key translation).
 */
public final class Keys {

    private static final Provider BC = new BouncyCastleProvider();

    private Keys() {
    }

    public static List<KeyPair> p256(int count) {
        return generate("EC", count);
    }

    /** Ed25519 device keys, made and re-decoded as {@link #p256(int)} makes P-256 ones. */
    public static List<KeyPair> ed25519(int count) {
        return generate("Ed25519", count);
    }

    private static List<KeyPair> generate(String algorithm, int count) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm, BC);
            if (algorithm.equals("EC")) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            List<KeyPair> pairs = new ArrayList<>(count);
            KeyFactory native_ = KeyFactory.getInstance(algorithm);
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

    /** Reads what {@link #write} wrote; EC P-256 and Ed25519 keys, each decoded by this JVM's own key factory. */
    public static List<KeyPair> read(Path file) throws IOException {
        try {
            List<KeyPair> pairs = new ArrayList<>();
            Base64.Decoder b64 = Base64.getDecoder();
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(" ");
                byte[] spki = b64.decode(parts[1]);
                KeyFactory factory = factoryFor(spki);
                pairs.add(new KeyPair(factory.generatePublic(new X509EncodedKeySpec(spki)),
                        factory.generatePrivate(new PKCS8EncodedKeySpec(b64.decode(parts[0])))));
            }
            return pairs;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public static java.security.PublicKey publicKey(String base64Spki) {
        try {
            byte[] spki = Base64.getDecoder().decode(base64Spki);
            return factoryFor(spki).generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This JVM's key factory for a SubjectPublicKeyInfo: Ed25519 or EC. */
    private static KeyFactory factoryFor(byte[] spki) throws GeneralSecurityException {
        boolean ed25519 = DeviceKeyAlgorithms.Algorithm.ofSubjectPublicKeyInfo(spki)
                .filter(a -> a == DeviceKeyAlgorithms.Algorithm.ED25519).isPresent();
        return KeyFactory.getInstance(ed25519 ? "Ed25519" : "EC");
    }
}
