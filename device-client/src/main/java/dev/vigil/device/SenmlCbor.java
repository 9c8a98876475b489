package dev.vigil.device;

import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Encodes readings as a SenML CBOR pack (RFC 8428 §6: integer labels; content-format 112). */
public final class SenmlCbor {

    public static final int CONTENT_FORMAT = 112;
    private static final int NAME = 0;
    private static final int VALUE = 2;
    private static final CBORFactory FACTORY = new CBORFactory();

    private SenmlCbor() {
    }

    /** One record per entry, in iteration order: {@code {0: name, 2: value}}. */
    public static byte[] encode(Map<String, Double> values) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (CBORGenerator cbor = FACTORY.createGenerator(bytes)) {
            cbor.writeStartArray(values.size());
            for (Map.Entry<String, Double> entry : values.entrySet()) {
                cbor.writeStartObject(2);
                cbor.writeFieldId(NAME);
                cbor.writeString(entry.getKey());
                cbor.writeFieldId(VALUE);
                writeNumber(cbor, entry.getValue());
                cbor.writeEndObject();
            }
            cbor.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Integers as CBOR integers and other values as floats: the smallest faithful form. */
    public static void writeNumber(CBORGenerator cbor, double value) throws IOException {
        if (value == Math.rint(value) && Math.abs(value) < 1L << 53) {
            cbor.writeNumber((long) value);
        } else if ((float) value == value) {
            cbor.writeNumber((float) value);
        } else {
            cbor.writeNumber(value);
        }
    }
}
