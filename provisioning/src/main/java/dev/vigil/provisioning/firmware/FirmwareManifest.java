package dev.vigil.provisioning.firmware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A firmware manifest in the SUIT information model (RFC 9124 §3): who made the image for which class of
 * device (vendor and class identifiers), a sequence number that only grows (anti-rollback), the version
 * people read, and the image's SHA-256 digest and size. Encoded as a CBOR map with integer keys, the
 * payload of a {@link CoseSign1}:
 * <pre>
 * { 1: 1 (manifest format version), 2: sequence, 3: vendor, 4: class, 5: version,
 *   6: [-16 (SHA-256), digest], 7: size }
 * </pre>
 * Not the full SUIT envelope (its command sequences are for devices installing several components); the
 * information the model requires is all here.
 */
public record FirmwareManifest(long sequence, String vendor, String deviceClass, String version, byte[] digest,
        long size) {

    private static final int FORMAT = 1;
    private static final int SHA256 = -16;
    private static final CBORMapper CBOR = new CBORMapper();

    public FirmwareManifest {
        if (sequence < 0 || size < 0 || digest == null || digest.length != 32) {
            throw new IllegalArgumentException("a manifest needs a sequence and size of at least 0 and a SHA-256 digest");
        }
        digest = digest.clone();
    }

    /** The manifest describing {@code image}. */
    public static FirmwareManifest of(byte[] image, long sequence, String vendor, String deviceClass, String version) {
        return new FirmwareManifest(sequence, vendor, deviceClass, version, sha256(image), image.length);
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String digestHex() {
        return HexFormat.of().formatHex(digest);
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }

    /** Whether {@code image} is the image this manifest describes. */
    public boolean describes(byte[] image) {
        return image.length == size && MessageDigest.isEqual(sha256(image), digest);
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator g = new CBORFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldId(1);
            g.writeNumber(FORMAT);
            g.writeFieldId(2);
            g.writeNumber(sequence);
            g.writeFieldId(3);
            g.writeString(vendor);
            g.writeFieldId(4);
            g.writeString(deviceClass);
            g.writeFieldId(5);
            g.writeString(version);
            g.writeFieldId(6);
            g.writeStartArray(null, 2);
            g.writeNumber(SHA256);
            g.writeBinary(digest);
            g.writeEndArray();
            g.writeFieldId(7);
            g.writeNumber(size);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Reads {@link #encode}; IllegalArgumentException names what is wrong. */
    public static FirmwareManifest decode(byte[] cbor) {
        JsonNode m;
        try {
            m = CBOR.readTree(cbor);
        } catch (IOException e) {
            throw new IllegalArgumentException("the manifest is not CBOR");
        }
        if (m == null || !m.isObject() || m.path("1").asInt(-1) != FORMAT) {
            throw new IllegalArgumentException("not a version " + FORMAT + " manifest");
        }
        JsonNode digest = m.path("6");
        if (!m.path("2").canConvertToLong() || !m.path("3").isTextual() || !m.path("4").isTextual()
                || !m.path("5").isTextual() || !digest.isArray() || digest.size() != 2
                || digest.get(0).asInt() != SHA256 || !digest.get(1).isBinary() || !m.path("7").canConvertToLong()) {
            throw new IllegalArgumentException("the manifest lacks a field or has one of the wrong type");
        }
        try {
            return new FirmwareManifest(m.path("2").asLong(), m.path("3").asText(), m.path("4").asText(),
                    m.path("5").asText(), digest.get(1).binaryValue(), m.path("7").asLong());
        } catch (IOException e) {
            throw new IllegalArgumentException("the manifest's digest is unreadable");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FirmwareManifest m && m.sequence == sequence && m.vendor.equals(vendor)
                && m.deviceClass.equals(deviceClass) && m.version.equals(version)
                && MessageDigest.isEqual(m.digest, digest) && m.size == size;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(sequence, vendor, deviceClass, version, size) * 31
                + java.util.Arrays.hashCode(digest);
    }
}
