package dev.vigil.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The device's side of a firmware manifest: a COSE_Sign1 (RFC 9052; ES256 or EdDSA) verified with the
 * pinned firmware signer's key, and its payload — a CBOR map with integer keys in the SUIT information model
 * (1: format 1, 2: sequence, 3: vendor, 4: class, 5: version, 6: [-16, SHA-256], 7: size). Written for the
 * device (it shares no code with the server); the interop suite holds both sides to COSE-JAVA.
 */
record SignedManifest(long sequence, String vendor, String deviceClass, String version, byte[] digest, long size) {

    private static final CBORMapper CBOR = new CBORMapper();
    private static final int ES256 = -7;
    private static final int EDDSA = -8;

    /** The manifest in {@code cose} if {@code signer} signed it; else throws. */
    static SignedManifest verify(byte[] cose, PublicKey signer) throws GeneralSecurityException {
        int start = cose.length > 0 && (cose[0] & 0xff) == 0xD2 ? 1 : 0; // tag 18, or none
        if (cose.length <= start || (cose[start] & 0xff) != 0x84) {
            throw new GeneralSecurityException("not a COSE_Sign1");
        }
        try {
            JsonNode message = CBOR.readTree(cose);
            byte[] protectedHeader = message.get(0).binaryValue();
            byte[] payload = message.get(2).binaryValue();
            byte[] signature = message.get(3).binaryValue();
            int alg = CBOR.readTree(protectedHeader).path("1").asInt(0);
            boolean ec = "EC".equals(signer.getAlgorithm());
            if ((alg != ES256 || !ec) && (alg != EDDSA || ec)) {
                throw new GeneralSecurityException("the manifest's algorithm does not match the pinned key");
            }
            Signature verifier = Signature.getInstance(ec ? "SHA256withECDSA" : "Ed25519");
            verifier.initVerify(signer);
            verifier.update(CBOR.writeValueAsBytes(new Object[] {"Signature1", protectedHeader, new byte[0], payload}));
            if (!verifier.verify(ec ? der(signature) : signature)) {
                throw new GeneralSecurityException("the manifest's signature does not verify with the pinned key");
            }
            JsonNode m = CBOR.readTree(payload);
            if (m.path("1").asInt() != 1 || m.path("6").get(0).asInt() != -16) {
                throw new GeneralSecurityException("not a format 1 manifest with a SHA-256 digest");
            }
            return new SignedManifest(m.path("2").asLong(), m.path("3").asText(), m.path("4").asText(),
                    m.path("5").asText(), m.path("6").get(1).binaryValue(), m.path("7").asLong());
        } catch (IOException | NullPointerException | IllegalArgumentException e) {
            throw new GeneralSecurityException("malformed manifest");
        }
    }

    String digestHex() {
        return HexFormat.of().formatHex(digest);
    }

    private static byte[] der(byte[] raw) throws GeneralSecurityException {
        if (raw.length != 64) {
            throw new GeneralSecurityException("an ES256 signature is 64 bytes");
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
