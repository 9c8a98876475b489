package dev.vigil.device;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * The private key forms people make, in DER: PKCS#8 (RFC 5208, PEM {@code PRIVATE KEY}: OpenSSL's {@code genpkey},
 * {@code vigil-device keygen}) and SEC1 (RFC 5915, PEM {@code EC PRIVATE KEY}: {@code openssl ecparam -genkey},
 * its curve inside the key or in the {@code EC PARAMETERS} block before it). Parsed by hand with the JDK: the device
 * client depends on no ASN.1 library. Only EC P-256 and Ed25519 keys pass; anything else is one line naming the
 * source.
 */
final class PrivateKeyDer {

    /** 1.2.840.10045.2.1, id-ecPublicKey. */
    private static final byte[] EC = {0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 2, 1};
    /** 1.2.840.10045.3.1.7, secp256r1 (P-256). */
    private static final byte[] P256 = {0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 3, 1, 7};
    /** 1.3.101.112, id-Ed25519. */
    private static final byte[] ED25519 = {0x2B, 0x65, 0x70};
    /** 1.2.840.113549.1.1.1, rsaEncryption. */
    private static final byte[] RSA = {0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 1, 1, 1};

    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int OID = 0x06;
    private static final int CURVE = 0xA0;

    private PrivateKeyDer() {
    }

    /**
     * The PKCS#8 form of a SEC1 ECPrivateKey, whose curve is named in the key or by {@code parameters} (the DER of
     * an {@code EC PARAMETERS} block, or null).
     */
    static byte[] pkcs8OfSec1(byte[] sec1, byte[] parameters, String source) throws IOException {
        byte[] curve = null;
        try {
            Reader key = new Reader(sec1).enter(SEQUENCE);
            key.next(INTEGER);
            key.next(OCTET_STRING);
            while (key.hasMore()) {
                int tag = key.peek();
                byte[] value = key.next(tag);
                if (tag == CURVE) {
                    curve = new Reader(value).next(OID);
                }
            }
            if (curve == null && parameters != null) {
                curve = new Reader(parameters).next(OID);
            }
        } catch (IOException e) {
            throw new IOException(source + ": the EC PRIVATE KEY block is not an EC private key");
        }
        if (curve == null) {
            throw new IOException(source + ": the EC PRIVATE KEY names no curve (and there is no EC PARAMETERS block)");
        }
        requireP256(curve, source);
        return tlv(SEQUENCE, concat(new byte[] {INTEGER, 1, 0}, tlv(SEQUENCE, concat(tlv(OID, EC), tlv(OID, P256))),
                tlv(OCTET_STRING, sec1)));
    }

    /** The algorithm of a PKCS#8 PrivateKeyInfo: P-256 or Ed25519, or one line saying what it is instead. */
    static KeyAlgorithm algorithm(byte[] pkcs8, String source) throws IOException {
        byte[] algorithm;
        byte[] curve = null;
        try {
            Reader info = new Reader(pkcs8).enter(SEQUENCE);
            info.next(INTEGER);
            Reader identifier = info.enter(SEQUENCE);
            algorithm = identifier.next(OID);
            if (identifier.hasMore() && identifier.peek() == OID) {
                curve = identifier.next(OID);
            }
        } catch (IOException e) {
            throw new IOException(source + ": the PRIVATE KEY block is not a PKCS#8 private key");
        }
        if (Arrays.equals(algorithm, EC)) {
            requireP256(curve, source);
            return KeyAlgorithm.P256;
        }
        if (Arrays.equals(algorithm, ED25519)) {
            return KeyAlgorithm.ED25519;
        }
        throw new IOException(source + ": " + (Arrays.equals(algorithm, RSA) ? "an RSA key" : "not an EC key")
                + "; device keys are EC P-256 or Ed25519");
    }

    /** The 32-byte seed of an Ed25519 PKCS#8 key (RFC 8410 §7: an OCTET STRING in the privateKey OCTET STRING). */
    static byte[] ed25519Seed(byte[] pkcs8, String source) throws IOException {
        try {
            Reader info = new Reader(pkcs8).enter(SEQUENCE);
            info.next(INTEGER);
            info.next(SEQUENCE);
            byte[] seed = new Reader(info.next(OCTET_STRING)).next(OCTET_STRING);
            if (seed.length == 32) {
                return seed;
            }
        } catch (IOException e) {
            // refused below
        }
        throw new IOException(source + ": the PRIVATE KEY block is not an Ed25519 private key");
    }

    private static void requireP256(byte[] curve, String source) throws IOException {
        if (!Arrays.equals(curve, P256)) {
            throw new IOException(source + ": an EC key on a curve other than P-256; device keys are EC P-256 or"
                    + " Ed25519");
        }
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Reads DER TLVs (definite lengths of up to 64 KiB); any overrun or other tag is an IOException. */
    private static final class Reader {
        private final byte[] der;
        private int at;

        Reader(byte[] der) {
            this.der = der;
        }

        boolean hasMore() {
            return at < der.length;
        }

        int peek() throws IOException {
            if (!hasMore()) {
                throw new IOException("end of DER");
            }
            return der[at] & 0xFF;
        }

        Reader enter(int tag) throws IOException {
            return new Reader(next(tag));
        }

        byte[] next(int tag) throws IOException {
            if (peek() != tag || at + 2 > der.length) {
                throw new IOException("unexpected DER");
            }
            at++;
            int length = der[at++] & 0xFF;
            if (length >= 0x80) {
                int bytes = length & 0x7F;
                if (bytes == 0 || bytes > 2 || at + bytes > der.length) {
                    throw new IOException("unsupported DER length");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = length << 8 | der[at++] & 0xFF;
                }
            }
            if (length > der.length - at) {
                throw new IOException("DER overrun");
            }
            byte[] value = Arrays.copyOfRange(der, at, at + length);
            at += length;
            return value;
        }
    }
}
