package dev.vigil.provisioning.keys;

import dev.vigil.provisioning.store.BoundedFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Key files in the form both Californium and libcoap ({@code coap-client-gnutls -M}) read: a PKCS#8
 * {@code PRIVATE KEY} block followed by its {@code PUBLIC KEY} block. Private key files are created
 * with mode 0600 from the start, never widened later.
 */
public final class PemFiles {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final String[] KEY_ALGORITHMS = {"EC", "Ed25519"};

    private PemFiles() {
    }

    /** A fresh EC P-256 key pair. */
    public static KeyPair generateP256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is missing from this JVM", e);
        }
    }

    /** Writes private + public blocks to a new file with mode 0600; refuses to overwrite. */
    public static void writeKeyPair(Path file, KeyPair keyPair) throws IOException {
        String pem = block("PRIVATE KEY", pkcs8(keyPair))
                + block("PUBLIC KEY", keyPair.getPublic().getEncoded());
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(file + " already exists; refusing to overwrite a key");
        }
        Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }

    public static void writePublicKey(Path file, PublicKey key) throws IOException {
        Files.writeString(file, block("PUBLIC KEY", key.getEncoded()), StandardCharsets.US_ASCII);
    }

    public static String publicKeyPem(PublicKey key) {
        return block("PUBLIC KEY", key.getEncoded());
    }

    /**
     * Reads a key file, at most {@link BoundedFiles#KEY_FILE_LIMIT} bytes: a private key as PKCS#8 ({@code PRIVATE
     * KEY}) or SEC1 ({@code EC PRIVATE KEY}, after an optional {@code EC PARAMETERS} block), with or without its
     * {@code PUBLIC KEY} block (see {@link PrivateKeyForms}). Every failure is an IOException of one line naming the
     * file.
     */
    public static KeyPair readKeyPair(Path file) throws IOException {
        return parseKeyPair(readKeyFile(file), file.toString());
    }

    /** Parses PEM text holding a private key, and perhaps its public key; {@code source} names it in errors. */
    public static KeyPair parseKeyPair(String text, String source) throws IOException {
        KeyPair derived = PrivateKeyForms.read(text, source);
        if (!has(text, "PUBLIC KEY")) {
            return derived;
        }
        PublicKey publicKey = decodePublicKey(find(text, "PUBLIC KEY", source), source);
        PrivateKey privateKey = derived.getPrivate();
        if (!privateKey.getAlgorithm().equals(publicKey.getAlgorithm()) || !belongTogether(privateKey, publicKey)) {
            throw new IOException(source + ": the PUBLIC KEY block is not the public key of the PRIVATE KEY block");
        }
        return new KeyPair(publicKey, privateKey);
    }

    /**
     * Reads the first {@code PUBLIC KEY} block of a PEM file (a key file or a public key file); of a key file
     * without one, the public key of its private key.
     */
    public static PublicKey readPublicKey(Path file) throws IOException {
        String text = readKeyFile(file);
        if (!has(text, "PUBLIC KEY") && (has(text, "PRIVATE KEY") || has(text, "EC PRIVATE KEY"))) {
            return parseKeyPair(text, file.toString()).getPublic();
        }
        return parsePublicKey(text, file.toString());
    }

    /** PEM is ASCII; any other byte is outside the blocks (or spoils one), never a decoding error. */
    private static String readKeyFile(Path file) throws IOException {
        return BoundedFiles.readText(file, BoundedFiles.KEY_FILE_LIMIT, StandardCharsets.ISO_8859_1, "key file");
    }

    /** Does a signature by {@code privateKey} verify with {@code publicKey}? */
    private static boolean belongTogether(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm = privateKey instanceof ECPrivateKey ? "SHA256withECDSA" : "Ed25519";
        byte[] message = "vigil key pair check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Parses PEM text holding a {@code PUBLIC KEY} block; {@code source} names it in errors. */
    public static PublicKey parsePublicKey(String pem, String source) throws IOException {
        return decodePublicKey(find(pem, "PUBLIC KEY", source), source);
    }

    /** Decodes a DER SubjectPublicKeyInfo of an EC P-256 or Ed25519 key. */
    public static PublicKey decodePublicKey(byte[] spki, String source) throws IOException {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
                if (!(key instanceof ECPublicKey) || isP256((ECPublicKey) key)) {
                    return key;
                }
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(source + ": not an EC P-256 or Ed25519 public key");
    }

    private static boolean isP256(ECPublicKey key) throws GeneralSecurityException {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec p256 = parameters.getParameterSpec(ECParameterSpec.class);
        return p256.getOrder().equals(key.getParams().getOrder())
                && p256.getCurve().equals(key.getParams().getCurve());
    }

    /** Does {@code text} hold a block of {@code type}? */
    static boolean has(String text, String type) {
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals(type)) {
                return true;
            }
        }
        return false;
    }

    /** The DER of the first block of {@code type} in {@code text}. */
    static byte[] find(String text, String type, String source) throws IOException {
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
        throw new IOException(source + ": no " + type + " block found");
    }

    private static String block(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    /** PKCS#8 header of an EC P-256 key whose ECPrivateKey (RFC 5915) carries its public key. */
    private static final byte[] P256_PKCS8_HEADER = {0x30, (byte) 0x81, (byte) 0x87, 2, 1, 0, 0x30, 0x13, 6, 7, 0x2A,
        (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 2, 1, 6, 8, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 3, 1, 7, 4, 0x6D,
        0x30, 0x6B, 2, 1, 1, 4, 0x20};
    private static final byte[] P256_PUBLIC_KEY_TAG = {(byte) 0xA1, 0x44, 3, 0x42, 0};

    /**
     * PKCS#8 of a key pair. For EC P-256 the ECPrivateKey includes the optional public key, as OpenSSL
     * writes it: GnuTLS (libcoap's {@code -M}) cannot load the JDK's shorter form.
     */
    private static byte[] pkcs8(KeyPair pair) {
        byte[] spki = pair.getPublic().getEncoded();
        if (!(pair.getPrivate() instanceof ECPrivateKey ec) || spki.length != 91) {
            return pair.getPrivate().getEncoded();
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
