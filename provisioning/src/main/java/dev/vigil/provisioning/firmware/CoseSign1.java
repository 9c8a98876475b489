package dev.vigil.provisioning.firmware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;

/**
 * COSE_Sign1 (RFC 9052 §4.2) with ES256 (-7, P-256 with SHA-256, signature r‖s) or EdDSA (-8), written
 * and read over Jackson CBOR: {@code 18([protected, {}, payload, signature])}, the protected header holding
 * only the algorithm, signed over {@code ["Signature1", protected, h'', payload]}. A few dozen lines rather
 * than a COSE library, so the device client (which may depend on Jackson CBOR but nothing else) can carry
 * the same code; the interop suite checks it against COSE-JAVA both ways.
 */
public final class CoseSign1 {

    /** COSE algorithm identifiers (IANA "COSE Algorithms"). */
    public static final int ES256 = -7;
    public static final int EDDSA = -8;
    /** The CBOR tag of a COSE_Sign1 (RFC 9052 §2). */
    public static final int TAG = 18;

    private static final CBORMapper CBOR = new CBORMapper();

    private CoseSign1() {
    }

    /** {@code payload} signed with {@code key} (EC P-256: ES256; Ed25519: EdDSA), as a tagged COSE_Sign1. */
    public static byte[] sign(byte[] payload, PrivateKey key) {
        int alg = "EC".equals(key.getAlgorithm()) ? ES256 : EDDSA;
        byte[] protectedHeader = protectedHeader(alg);
        try {
            Signature signer = Signature.getInstance(alg == ES256 ? "SHA256withECDSA" : "Ed25519");
            signer.initSign(key);
            signer.update(toBeSigned(protectedHeader, payload));
            byte[] signature = signer.sign();
            return encode(protectedHeader, payload, alg == ES256 ? rawFromDer(signature) : signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with a " + key.getAlgorithm() + " key", e);
        }
    }

    /** The payload of {@code cose} if it is a COSE_Sign1 whose signature {@code key} verifies; else throws. */
    public static byte[] verify(byte[] cose, PublicKey key) throws GeneralSecurityException {
        // tag 18 (COSE_Sign1) or no tag, then an array of four: another tag is another COSE structure
        int start = cose.length > 0 && (cose[0] & 0xff) == 0xC0 + TAG ? 1 : 0;
        if (cose.length <= start || (cose[start] & 0xff) != 0x84) {
            throw new GeneralSecurityException("not a COSE_Sign1 (tag 18, an array of four)");
        }
        JsonNode message;
        try {
            message = CBOR.readTree(cose);
        } catch (IOException e) {
            throw new GeneralSecurityException("not CBOR");
        }
        if (message == null || !message.isArray() || message.size() != 4 || !message.get(0).isBinary()
                || !message.get(1).isObject() || !message.get(2).isBinary() || !message.get(3).isBinary()) {
            throw new GeneralSecurityException("not a COSE_Sign1 [protected, unprotected, payload, signature]");
        }
        try {
            byte[] protectedHeader = message.get(0).binaryValue();
            byte[] payload = message.get(2).binaryValue();
            byte[] signature = message.get(3).binaryValue();
            JsonNode header = CBOR.readTree(protectedHeader);
            int alg = header == null ? 0 : header.path("1").asInt(0);
            boolean ec = "EC".equals(key.getAlgorithm());
            if ((alg != ES256 || !ec) && (alg != EDDSA || ec)) {
                throw new GeneralSecurityException("algorithm " + alg + " does not match a " + key.getAlgorithm() + " key");
            }
            Signature verifier = Signature.getInstance(alg == ES256 ? "SHA256withECDSA" : "Ed25519");
            verifier.initVerify(key);
            verifier.update(toBeSigned(protectedHeader, payload));
            if (!verifier.verify(alg == ES256 ? derFromRaw(signature) : signature)) {
                throw new GeneralSecurityException("the signature does not verify");
            }
            return payload;
        } catch (IOException e) {
            throw new GeneralSecurityException("malformed COSE_Sign1");
        }
    }

    private static byte[] protectedHeader(int alg) {
        return write(generator -> {
            generator.writeStartObject();
            generator.writeFieldId(1);
            generator.writeNumber(alg);
            generator.writeEndObject();
        });
    }

    /** Sig_structure (RFC 9052 §4.4) for a COSE_Sign1 with no external data. */
    private static byte[] toBeSigned(byte[] protectedHeader, byte[] payload) {
        return write(generator -> {
            generator.writeStartArray(null, 4);
            generator.writeString("Signature1");
            generator.writeBinary(protectedHeader);
            generator.writeBinary(new byte[0]);
            generator.writeBinary(payload);
            generator.writeEndArray();
        });
    }

    private static byte[] encode(byte[] protectedHeader, byte[] payload, byte[] signature) {
        return write(generator -> {
            generator.writeTag(TAG);
            generator.writeStartArray(null, 4);
            generator.writeBinary(protectedHeader);
            generator.writeStartObject();
            generator.writeEndObject();
            generator.writeBinary(payload);
            generator.writeBinary(signature);
            generator.writeEndArray();
        });
    }

    private interface Writing {
        void write(CBORGenerator generator) throws IOException;
    }

    private static byte[] write(Writing writing) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator generator = new CBORFactory().createGenerator(out)) {
            writing.write(generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** An ECDSA signature as COSE wants it: r and s, 32 bytes each. */
    static byte[] rawFromDer(byte[] der) {
        int offset = 2 + (der[1] & 0x80) / 0x80 * (der[1] & 0x7f);
        byte[] r = integer(der, offset);
        byte[] s = integer(der, offset + 2 + der[offset + 1]);
        byte[] raw = new byte[64];
        System.arraycopy(r, 0, raw, 32 - r.length, r.length);
        System.arraycopy(s, 0, raw, 64 - s.length, s.length);
        return raw;
    }

    /** The unsigned value of the DER INTEGER at {@code at} (its sign byte dropped). */
    private static byte[] integer(byte[] der, int at) {
        return stripLeadingZeros(Arrays.copyOfRange(der, at + 2, at + 2 + der[at + 1]));
    }

    private static byte[] stripLeadingZeros(byte[] value) {
        int i = 0;
        while (i < value.length - 1 && value[i] == 0) {
            i++;
        }
        return Arrays.copyOfRange(value, i, value.length);
    }

    /** r‖s back to the DER SEQUENCE the JCA verifies. */
    static byte[] derFromRaw(byte[] raw) throws GeneralSecurityException {
        if (raw.length != 64) {
            throw new GeneralSecurityException("an ES256 signature is 64 bytes, not " + raw.length);
        }
        byte[] r = new BigInteger(1, Arrays.copyOfRange(raw, 0, 32)).toByteArray();
        byte[] s = new BigInteger(1, Arrays.copyOfRange(raw, 32, 64)).toByteArray();
        byte[] der = new byte[6 + r.length + s.length];
        der[0] = 0x30;
        der[1] = (byte) (4 + r.length + s.length);
        der[2] = 0x02;
        der[3] = (byte) r.length;
        System.arraycopy(r, 0, der, 4, r.length);
        der[4 + r.length] = 0x02;
        der[5 + r.length] = (byte) s.length;
        System.arraycopy(s, 0, der, 6 + r.length, s.length);
        return der;
    }
}
