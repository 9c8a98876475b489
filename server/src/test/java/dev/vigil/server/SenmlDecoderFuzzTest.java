package dev.vigil.server;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vigil.provisioning.telemetry.Reading;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Fuzzes {@code POST /t} payloads. Oracle: a pack is either refused with {@link SenmlException} (4.00)
 * or decoded into 1 to 256 readings that can be stored as they are — a valid name, at most one unit of
 * 32 characters, exactly one finite number, string or boolean, and a measurement time that is either
 * unknown or finite and inside the window around now. Any other exception, or an error such as a
 * StackOverflowError, is a finding. Regression inputs: {@code SenmlDecoderFuzzTestInputs/<method>/}.
 */
class SenmlDecoderFuzzTest {

    static final double NOW = 1_800_000_000d;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9:./_-]{0,127}");

    @FuzzTest
    @DictionaryEntries({"\"bn\"", "\"bt\"", "\"bu\"", "\"bv\"", "\"bs\"", "\"bver\"", "\"n\"", "\"u\"", "\"v\"",
        "\"vs\"", "\"vb\"", "\"vd\"", "\"s\"", "\"t\"", "\"ut\"", "\"x_\"", "1e308", "-1.7976931348623157e308",
        "268435456", "true", "null"})
    void json(byte[] payload) {
        check(SenmlDecoder.SENML_JSON, payload);
    }

    @FuzzTest
    void cbor(byte[] payload) {
        check(SenmlDecoder.SENML_CBOR, payload);
    }

    private static void check(int format, byte[] payload) {
        List<Reading> readings;
        try {
            readings = SenmlDecoder.decode(format, payload, NOW);
        } catch (SenmlException refused) {
            return;
        }
        require(!readings.isEmpty() && readings.size() <= 256, "1 to 256 readings", readings);
        for (Reading r : readings) {
            require(r.name() != null && NAME.matcher(r.name()).matches(), "a valid name", r);
            require(r.unit() == null || r.unit().length() <= 32, "a unit of at most 32 characters", r);
            int values = (r.number() != null ? 1 : 0) + (r.text() != null ? 1 : 0) + (r.bool() != null ? 1 : 0);
            require(values == 1, "exactly one value", r);
            require(r.number() == null || Double.isFinite(r.number()), "a finite number", r);
            require(r.text() == null || r.text().length() <= 1024, "a string of at most 1024 characters", r);
            require(r.measuredAt() == null || Double.isFinite(r.measuredAt())
                    && r.measuredAt() >= NOW - SenmlDecoder.MAX_AGE_SECONDS
                    && r.measuredAt() <= NOW + SenmlDecoder.MAX_AHEAD_SECONDS, "a time inside the window", r);
        }
    }

    private static void require(boolean holds, String what, Object value) {
        if (!holds) {
            throw new AssertionError("expected " + what + ", got " + value);
        }
    }
}
