package dev.vigil.device.agent;

import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import dev.vigil.device.SenmlCbor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * Queued readings as one SenML CBOR pack (RFC 8428, integer labels), as small as it can faithfully be: a name
 * or unit shared by every record is said once as the base name or unit; times are relative to the moment of
 * sending, rounded to whole seconds ({@code t = -age}, so the device needs no set clock), and left out for
 * readings under half a second old; numbers take their shortest exact form. Every record carries a value, so record i is
 * the reading numbered {@code first + i} of the request {@code POST /t?s=first}.
 */
public final class SenmlPack {

    private static final int BASE_NAME = -2;
    private static final int BASE_UNIT = -4;
    private static final int NAME = 0;
    private static final int UNIT = 1;
    private static final int VALUE = 2;
    private static final int TIME = 6;
    private static final CBORFactory FACTORY = new CBORFactory();

    private SenmlPack() {
    }

    public static byte[] encode(List<QueuedReading> readings, long nowMillis) {
        String sharedName = shared(readings, true);
        String sharedUnit = shared(readings, false);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 16 * readings.size());
        try (CBORGenerator cbor = FACTORY.createGenerator(bytes)) {
            cbor.writeStartArray(readings.size());
            boolean first = true;
            for (QueuedReading reading : readings) {
                Measurement m = reading.measurement();
                long age = Math.max(0, (nowMillis - m.timeMillis() + 500) / 1000);
                boolean name = sharedName == null;
                boolean unit = sharedUnit == null && m.unit() != null;
                boolean baseUnit = first && sharedUnit != null;
                cbor.writeStartObject((first && sharedName != null ? 1 : 0) + (baseUnit ? 1 : 0) + (name ? 1 : 0)
                        + (unit ? 1 : 0) + 1 + (age > 0 ? 1 : 0));
                if (first && sharedName != null) {
                    cbor.writeFieldId(BASE_NAME);
                    cbor.writeString(sharedName);
                }
                if (baseUnit) {
                    cbor.writeFieldId(BASE_UNIT);
                    cbor.writeString(sharedUnit);
                }
                if (name) {
                    cbor.writeFieldId(NAME);
                    cbor.writeString(m.name());
                }
                if (unit) {
                    cbor.writeFieldId(UNIT);
                    cbor.writeString(m.unit());
                }
                cbor.writeFieldId(VALUE);
                SenmlCbor.writeNumber(cbor, m.value());
                if (age > 0) {
                    cbor.writeFieldId(TIME);
                    cbor.writeNumber(-age);
                }
                cbor.writeEndObject();
                first = false;
            }
            cbor.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The name (or unit) every reading has, or null if they differ or (units) none has one. */
    private static String shared(List<QueuedReading> readings, boolean names) {
        String value = names ? readings.get(0).measurement().name() : readings.get(0).measurement().unit();
        for (QueuedReading reading : readings) {
            String other = names ? reading.measurement().name() : reading.measurement().unit();
            if (!Objects.equals(value, other)) {
                return null;
            }
        }
        return value;
    }
}
