package dev.vigil.device;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device's identity on disk: {@code device-key.pem} (PKCS#8 private key followed by its public
 * key block, mode 0600 from creation, readable by Californium and, for EC P-256, by libcoap's {@code -M}) and
 * {@code device.pub.pem} (what the operator registers). The key is EC P-256 unless made as Ed25519
 * ({@link KeyAlgorithm}); a rotation keeps the algorithm.
 */
public final class DeviceKeys {

    public static final String KEY_FILE = "device-key.pem";
    public static final String PUBLIC_FILE = "device.pub.pem";
    /** A rotation's new key, until the server has confirmed it (then it replaces {@link #KEY_FILE}). */
    public static final String NEXT_KEY_FILE = "device-key.next.pem";

    /** The largest key file read: a P-256 key pair in PEM is under 400 bytes, an Ed25519 one under 250. */
    public static final int KEY_FILE_LIMIT = 64 * 1024;

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private DeviceKeys() {
    }

    /** Makes a new EC P-256 key pair in {@code stateDir}; refuses to replace an existing key. */
    public static KeyPair generate(Path stateDir) throws IOException {
        return generate(stateDir, KeyAlgorithm.P256);
    }

    /** Makes a new key pair of {@code algorithm} in {@code stateDir}; refuses to replace an existing key. */
    public static KeyPair generate(Path stateDir, KeyAlgorithm algorithm) throws IOException {
        KeyPair pair = generate(stateDir, KEY_FILE, algorithm);
        writePublicFile(stateDir, pair.getPublic());
        return pair;
    }

    /**
     * Makes the key of a rotation, {@link #NEXT_KEY_FILE} (mode 0600, synced), of the current key's algorithm;
     * never overwrites.
     */
    public static KeyPair generateNext(Path stateDir) throws IOException {
        return generateNext(stateDir, KeyAlgorithm.of(load(stateDir).getPublic()));
    }

    /** Makes the key of a rotation, {@link #NEXT_KEY_FILE} (mode 0600, synced), of {@code algorithm}; never overwrites. */
    public static KeyPair generateNext(Path stateDir, KeyAlgorithm algorithm) throws IOException {
        return generate(stateDir, NEXT_KEY_FILE, algorithm);
    }

    /**
     * Writes a new key file whole under a temporary name, synced, then renames it into place: a crash leaves no
     * key file or a complete one, never an empty or cut-short one (which would stop every later rotation and send).
     */
    private static KeyPair generate(Path stateDir, String fileName, KeyAlgorithm algorithm) throws IOException {
        Files.createDirectories(stateDir);
        Path keyFile = stateDir.resolve(fileName);
        if (Files.exists(keyFile)) {
            throw new FileAlreadyExistsException(keyFile + " already exists; refusing to replace the device key");
        }
        KeyPair pair = algorithm.generate();
        Path temp = stateDir.resolve(fileName + ".tmp");
        Files.deleteIfExists(temp); // left by a crash while it was written: never renamed, so never used
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        if (NEXT_KEY_FILE.equals(fileName)) {
            CrashPoints.reach("rotate:next-key-created");
        }
        Files.writeString(temp, pem("PRIVATE KEY", pkcs8(pair)) + pem("PUBLIC KEY", pair.getPublic().getEncoded()),
                StandardCharsets.US_ASCII, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        try {
            Files.move(temp, keyFile); // a rename that never replaces an existing file
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(temp);
            throw new FileAlreadyExistsException(keyFile + " already exists; refusing to replace the device key");
        }
        return pair;
    }

    public static KeyPair load(Path stateDir) throws IOException {
        Path keyFile = stateDir.resolve(KEY_FILE);
        if (!Files.exists(keyFile)) {
            throw new IOException("no device key in " + stateDir + " (run vigil-device keygen --state " + stateDir + ")");
        }
        return read(keyFile);
    }

    /**
     * The rotation's new key, if a rotation is under way. A next key file without its closing public key block
     * was cut short by a crash while it was written in place (as versions before the rename did), before it could
     * be sent: it is deleted, and no rotation is under way.
     */
    public static java.util.Optional<KeyPair> loadNext(Path stateDir) throws IOException {
        Path next = stateDir.resolve(NEXT_KEY_FILE);
        if (!Files.exists(next)) {
            return java.util.Optional.empty();
        }
        String text = readKeyFile(next);
        if (!text.contains("-----END PUBLIC KEY-----")) {
            Files.delete(next);
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(parseKeyPair(text, next.toString()));
    }

    /** Makes the confirmed new key the device key: one atomic rename, then the public key file. */
    static void promoteNext(Path stateDir) throws IOException {
        KeyPair next = read(stateDir.resolve(NEXT_KEY_FILE));
        Files.move(stateDir.resolve(NEXT_KEY_FILE), stateDir.resolve(KEY_FILE),
                java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CrashPoints.reach("rotate:promoted");
        writePublicFile(stateDir, next.getPublic());
    }

    /**
     * Makes {@link #PUBLIC_FILE} the public half of {@link #KEY_FILE} again if it is not (missing, cut short, or
     * still the old key after a crash between the two writes of {@link #promoteNext}).
     */
    static void repairPublicFile(Path stateDir) throws IOException {
        PublicKey key = load(stateDir).getPublic();
        Path file = stateDir.resolve(PUBLIC_FILE);
        try {
            if (Files.exists(file) && java.util.Arrays.equals(readPublicKey(file).getEncoded(), key.getEncoded())) {
                return;
            }
        } catch (IOException unreadable) {
            // rewritten below
        }
        writePublicFile(stateDir, key);
    }

    /** Replaces {@link #PUBLIC_FILE} atomically: the old content or the new, never half. */
    private static void writePublicFile(Path stateDir, PublicKey key) throws IOException {
        writePublicKey(stateDir.resolve(PUBLIC_FILE), key);
    }

    /** Writes a public key file atomically: the old content or the new, never half. */
    static void writePublicKey(Path file, PublicKey key) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, pem("PUBLIC KEY", key.getEncoded()), StandardCharsets.US_ASCII);
        Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static void discardNext(Path stateDir) throws IOException {
        Files.deleteIfExists(stateDir.resolve(NEXT_KEY_FILE));
    }

    private static KeyPair read(Path keyFile) throws IOException {
        return parseKeyPair(readKeyFile(keyFile), keyFile.toString());
    }

    /**
     * The device's key pair from the text of its key file; {@code source} names it in errors. The private key is
     * PKCS#8 ({@code PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}, after an optional {@code EC PARAMETERS} block);
     * without a {@code PUBLIC KEY} block the public key is derived from it.
     */
    static KeyPair parseKeyPair(String text, String source) throws IOException {
        byte[] pkcs8 = privateKeyInfo(text, source);
        KeyAlgorithm algorithm = PrivateKeyDer.algorithm(pkcs8, source);
        PrivateKey privateKey;
        try {
            privateKey = KeyFactory.getInstance(algorithm.jcaName()).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(source + ": not an EC P-256 or Ed25519 key pair");
        }
        if (!hasBlock(text, "PUBLIC KEY")) {
            PublicKey derived = DerivedPublicKey.of(privateKey, pkcs8, source);
            if (!belongTogether(algorithm, privateKey, derived)) {
                throw new IOException(source + ": not an EC P-256 or Ed25519 key pair");
            }
            return new KeyPair(derived, privateKey);
        }
        PublicKey publicKey = decodePublicKey(block(text, "PUBLIC KEY", source), source);
        if (!algorithm.equals(algorithmOf(publicKey)) || !belongTogether(algorithm, privateKey, publicKey)) {
            throw new IOException(source + ": the PUBLIC KEY block is not the public key of the private key");
        }
        return new KeyPair(publicKey, privateKey);
    }

    /** The PKCS#8 DER of the key file's private key, whichever of the two common forms it is in. */
    private static byte[] privateKeyInfo(String text, String source) throws IOException {
        if (hasBlock(text, "PRIVATE KEY")) {
            return block(text, "PRIVATE KEY", source);
        }
        if (hasBlock(text, "EC PRIVATE KEY")) {
            byte[] parameters = hasBlock(text, "EC PARAMETERS") ? block(text, "EC PARAMETERS", source) : null;
            return PrivateKeyDer.pkcs8OfSec1(block(text, "EC PRIVATE KEY", source), parameters, source);
        }
        if (hasBlock(text, "RSA PRIVATE KEY")) {
            throw new IOException(source + ": an RSA key; device keys are EC P-256 or Ed25519");
        }
        if (hasBlock(text, "ENCRYPTED PRIVATE KEY")) {
            throw new IOException(source + ": an encrypted private key; store it unencrypted (mode 0600)");
        }
        throw new IOException(source + ": no PRIVATE KEY or EC PRIVATE KEY block");
    }

    private static KeyAlgorithm algorithmOf(PublicKey key) {
        try {
            return KeyAlgorithm.of(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Does a signature by {@code privateKey} verify with {@code publicKey}? */
    private static boolean belongTogether(KeyAlgorithm algorithm, PrivateKey privateKey, PublicKey publicKey) {
        byte[] message = "vigil key pair check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm.signatureName());
            signer.initSign(privateKey);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm.signatureName());
            verifier.initVerify(publicKey);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    public static PublicKey readPublicKey(Path file) throws IOException {
        return parsePublicKey(readKeyFile(file), file.toString());
    }

    /** The first public key in PEM text (a public key file or a key file); {@code source} names it in errors. */
    static PublicKey parsePublicKey(String text, String source) throws IOException {
        return decodePublicKey(block(text, "PUBLIC KEY", source), source);
    }

    /** An EC or Ed25519 key from its SubjectPublicKeyInfo; {@code source} names it in errors. */
    static PublicKey decodePublicKey(byte[] der, String source) throws IOException {
        for (String algorithm : new String[] {"EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // next
            }
        }
        throw new IOException(source + ": not an EC or Ed25519 public key");
    }

    /**
     * The text of a key file of at most {@link #KEY_FILE_LIMIT} bytes: a wrong path such as
     * {@code /dev/zero} is one clear error, never an OutOfMemoryError. Bytes outside the ASCII PEM blocks
     * are ignored, as OpenSSL does.
     */
    static String readKeyFile(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not a key file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(KEY_FILE_LIMIT + 1);
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": permission denied");
        }
        if (bytes.length > KEY_FILE_LIMIT) {
            throw new IOException(file + ": larger than " + KEY_FILE_LIMIT / 1024 + " KiB; not a key file");
        }
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** RFC 6920 name of the key: {@code ni:///sha-256;<base64url of SHA-256(SubjectPublicKeyInfo)>}. */
    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "ni:///sha-256;" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean hasBlock(String text, String type) {
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals(type)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] block(String text, String type, String source) throws IOException {
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals(type)) {
                try {
                    return Base64.getMimeDecoder().decode(matcher.group(2));
                } catch (IllegalArgumentException e) {
                    throw new IOException(source + ": the " + type + " block is not valid base64");
                }
            }
        }
        throw new IOException(source + ": no " + type + " block");
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** PKCS#8 header of an EC P-256 key whose ECPrivateKey (RFC 5915) carries its public key. */
    private static final byte[] P256_PKCS8_HEADER = {0x30, (byte) 0x81, (byte) 0x87, 2, 1, 0, 0x30, 0x13, 6, 7, 0x2A,
        (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 2, 1, 6, 8, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 3, 1, 7, 4, 0x6D,
        0x30, 0x6B, 2, 1, 1, 4, 0x20};
    private static final byte[] P256_PUBLIC_KEY_TAG = {(byte) 0xA1, 0x44, 3, 0x42, 0};

    /** PKCS#8 v1 of an Ed25519 key up to its 32-byte seed (RFC 8410), as OpenSSL writes it. */
    private static final byte[] ED25519_PKCS8_HEADER = {0x30, 0x2E, 2, 1, 0, 0x30, 5, 6, 3, 0x2B, 0x65, 0x70, 4, 0x22,
        4, 0x20};

    /**
     * PKCS#8 of a key pair. For EC P-256 the ECPrivateKey includes the optional public key, as OpenSSL
     * writes it: GnuTLS (libcoap's {@code -M}) cannot load the JDK's shorter form. For Ed25519, the plain
     * form OpenSSL writes, whichever provider made the key (Bouncy Castle's adds the public key, PKCS#8 v2).
     */
    private static byte[] pkcs8(KeyPair pair) {
        byte[] spki = pair.getPublic().getEncoded();
        byte[] encoded = pair.getPrivate().getEncoded();
        int seedAt = ED25519_PKCS8_HEADER.length;
        if (KeyAlgorithm.of(pair.getPublic()) == KeyAlgorithm.ED25519 && encoded.length >= seedAt + 32
                && java.util.Arrays.equals(encoded, 5, seedAt, ED25519_PKCS8_HEADER, 5, seedAt)) {
            byte[] der = java.util.Arrays.copyOf(ED25519_PKCS8_HEADER, ED25519_PKCS8_HEADER.length + 32);
            // v1 and v2 both hold the seed right after the same 16 bytes (v2's outer length differs)
            System.arraycopy(encoded, seedAt, der, seedAt, 32);
            return der;
        }
        if (!(pair.getPrivate() instanceof ECPrivateKey ec) || spki.length != 91) {
            return encoded;
        }
        byte[] s = ec.getS().toByteArray();
        byte[] d = new byte[32];
        int n = Math.min(32, s.length);
        System.arraycopy(s, s.length - n, d, 32 - n, n);
        byte[] der = new byte[P256_PKCS8_HEADER.length + 32 + P256_PUBLIC_KEY_TAG.length + 65];
        System.arraycopy(P256_PKCS8_HEADER, 0, der, 0, P256_PKCS8_HEADER.length);
        System.arraycopy(d, 0, der, P256_PKCS8_HEADER.length, 32);
        System.arraycopy(P256_PUBLIC_KEY_TAG, 0, der, P256_PKCS8_HEADER.length + 32, P256_PUBLIC_KEY_TAG.length);
        System.arraycopy(spki, spki.length - 65, der, der.length - 65, 65);
        return der;
    }

}
