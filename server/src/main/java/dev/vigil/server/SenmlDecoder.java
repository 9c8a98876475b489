package dev.vigil.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.vigil.provisioning.telemetry.Reading;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes SenML packs (RFC 8428) in JSON (content-format 110) and CBOR (112, integer labels per
 * §6) into resolved readings: base name, time, unit, value and sum applied, relative times made absolute.
 * Strict: unknown must-understand fields, data values, bad names and non-finite numbers are refused,
 * and so is a resolved value, sum or time that is not finite ({@code bv + v} can overflow where
 * neither does alone). A resolved measurement time must lie between {@link #MAX_AGE_SECONDS} before
 * and {@link #MAX_AHEAD_SECONDS} after the receive time: times below 2^28 are relative to now
 * (§4.5.3), so that window is where relative times reach, and an absolute time outside it is a clock
 * gone wrong, not a measurement worth storing.
 */
final class SenmlDecoder {

    static final int SENML_JSON = 110;
    static final int SENML_CBOR = 112;

    private static final int MAX_RECORDS = 256;
    /** RFC 8428 §4.5.3: times below 2^28 are relative to now. */
    private static final double RELATIVE_TIME_LIMIT = 268_435_456d;
    /** The oldest measurement time accepted: 2^28 s (about 8.5 years) before now, the reach of a relative time. */
    static final double MAX_AGE_SECONDS = RELATIVE_TIME_LIMIT;
    /** The latest measurement time accepted: 10 minutes after now, for clock skew. */
    static final double MAX_AHEAD_SECONDS = 600d;
    /** CBOR labels (RFC 8428 Table 6) to JSON names. */
    private static final Map<String, String> CBOR_LABELS = Map.ofEntries(
            Map.entry("-1", "bver"), Map.entry("-2", "bn"), Map.entry("-3", "bt"), Map.entry("-4", "bu"),
            Map.entry("-5", "bv"), Map.entry("-6", "bs"), Map.entry("0", "n"), Map.entry("1", "u"),
            Map.entry("2", "v"), Map.entry("3", "vs"), Map.entry("4", "vb"), Map.entry("5", "s"),
            Map.entry("6", "t"), Map.entry("7", "ut"), Map.entry("8", "vd"));

    private static final ObjectMapper JSON = strict(new ObjectMapper());
    private static final ObjectMapper CBOR = strict(new CBORMapper());

    private SenmlDecoder() {
    }

    private static ObjectMapper strict(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return mapper;
    }

    /**
     * Reads the pack token by token (no tree of nodes in between: this runs for every reading a device posts). The
     * parser itself refuses a repeated label within a record ({@code STRICT_DUPLICATE_DETECTION}).
     */
    static List<Reading> decode(int contentFormat, byte[] payload, double nowSeconds) throws SenmlException {
        boolean cbor = contentFormat == SENML_CBOR;
        try (JsonParser parser = (cbor ? CBOR : JSON).createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new SenmlException("a SenML pack is a non-empty array of records");
            }
            Base base = new Base();
            List<Reading> readings = new ArrayList<>(2);
            int records = 0;
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (++records > MAX_RECORDS) {
                    throw new SenmlException("more than " + MAX_RECORDS + " records");
                }
                if (token != JsonToken.START_OBJECT) {
                    throw new SenmlException("a SenML record is a map");
                }
                Reading reading = decodeRecord(parser, cbor, base, nowSeconds);
                if (reading != null) {
                    readings.add(reading);
                }
            }
            if (records == 0) {
                throw new SenmlException("a SenML pack is a non-empty array of records");
            }
            if (parser.nextToken() != null) {
                throw new SenmlException("not well-formed " + (cbor ? "CBOR" : "JSON") + ": data after the pack");
            }
            if (readings.isEmpty()) {
                throw new SenmlException("the pack holds no value");
            }
            return readings;
        } catch (IOException e) {
            throw new SenmlException("not well-formed " + (cbor ? "CBOR" : "JSON") + ": " + e.getMessage());
        }
    }

    /** Base fields carry over from record to record (RFC 8428 §4.1). */
    private static final class Base {
        String name = "";
        double time;
        String unit;
        double value;
        double sum;
    }

    /** One record, from just after its START_OBJECT to its END_OBJECT; null for a record of base fields only. */
    private static Reading decodeRecord(JsonParser parser, boolean cbor, Base base, double now)
            throws SenmlException, IOException {
        String n = null;
        String u = null;
        Double v = null;
        String vs = null;
        Boolean vb = null;
        Double s = null;
        Double t = null;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
            String key = parser.currentName(); // token is FIELD_NAME: the parser allows nothing else in a map
            String label = cbor ? CBOR_LABELS.getOrDefault(key, key) : key;
            JsonToken value = parser.nextToken();
            switch (label) {
                case "bn" -> base.name = text(label, parser, value, 128);
                case "bt" -> base.time = number(label, parser, value);
                case "bu" -> base.unit = text(label, parser, value, 32);
                case "bv" -> base.value = number(label, parser, value);
                case "bs" -> base.sum = number(label, parser, value);
                case "ut" -> number(label, parser, value);
                case "bver" -> {
                    double version = value.isNumeric() ? parser.getDoubleValue() : Double.NaN;
                    if (!(version >= Integer.MIN_VALUE && version <= Integer.MAX_VALUE) || (int) version > 10) {
                        throw new SenmlException("unsupported SenML version");
                    }
                }
                case "n" -> n = text(label, parser, value, 128);
                case "u" -> u = text(label, parser, value, 32);
                case "v" -> v = number(label, parser, value);
                case "vs" -> vs = text(label, parser, value, 1024);
                case "vb" -> vb = bool(label, value);
                case "s" -> s = number(label, parser, value);
                case "t" -> t = number(label, parser, value);
                case "vd" -> throw new SenmlException("data values (vd) are not accepted");
                default -> {
                    if (label.endsWith("_")) {
                        throw new SenmlException("must-understand field '" + label + "' is not supported");
                    }
                    parser.skipChildren(); // an unknown field's value, whatever it holds
                }
            }
        }
        int values = (v != null ? 1 : 0) + (vs != null ? 1 : 0) + (vb != null ? 1 : 0);
        if (values > 1) {
            throw new SenmlException("a record holds at most one value");
        }
        if (values == 0 && s == null) {
            if (n != null || u != null || t != null) {
                throw new SenmlException("a record with a name holds a value or a sum");
            }
            return null; // a record of base fields only
        }
        String name = n == null ? base.name : base.name.isEmpty() ? n : base.name + n;
        if (!validName(name)) {
            throw new SenmlException("invalid name");
        }
        Double number = null;
        if (v != null) {
            number = resolved("bv + v", base.value + v);
        } else if (values == 0) {
            number = resolved("bs + s", base.sum + s);
        }
        Double measuredAt = t == null && base.time == 0 ? null : measuredAt(base.time + (t == null ? 0 : t), now);
        return new Reading(name, u != null ? u : base.unit, number, vs, vb, measuredAt);
    }

    /** {@code [A-Za-z0-9][A-Za-z0-9:./_-]{0,127}} (RFC 8428 §4.5.1), checked without a regex matcher per reading. */
    static boolean validName(String name) {
        int length = name.length();
        if (length == 0 || length > 128) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            boolean alnum = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
            if (!alnum && (i == 0 || c != ':' && c != '.' && c != '/' && c != '_' && c != '-')) {
                return false;
            }
        }
        return true;
    }

    private static double resolved(String what, double value) throws SenmlException {
        if (!Double.isFinite(value)) {
            throw new SenmlException("resolved " + what + " is not a finite number");
        }
        return value;
    }

    /** The absolute time of {@code bt + t}, which must lie in the window around {@code now}. */
    private static double measuredAt(double time, double now) throws SenmlException {
        double at = resolved("bt + t", time) < RELATIVE_TIME_LIMIT ? now + time : time;
        if (!(at >= now - MAX_AGE_SECONDS && at <= now + MAX_AHEAD_SECONDS)) {
            throw new SenmlException("measurement time " + at + " is outside the window around now (" + now + ")");
        }
        return at;
    }

    private static String text(String label, JsonParser parser, JsonToken value, int maxLength)
            throws SenmlException, IOException {
        String text = value == JsonToken.VALUE_STRING ? parser.getText() : null;
        if (text == null || text.length() > maxLength) {
            throw new SenmlException("'" + label + "' must be a string of at most " + maxLength + " characters");
        }
        return text;
    }

    private static double number(String label, JsonParser parser, JsonToken value) throws SenmlException, IOException {
        double number = value.isNumeric() ? parser.getDoubleValue() : Double.NaN;
        if (!Double.isFinite(number)) {
            throw new SenmlException("'" + label + "' must be a finite number");
        }
        return number;
    }

    private static boolean bool(String label, JsonToken value) throws SenmlException {
        if (!value.isBoolean()) {
            throw new SenmlException("'" + label + "' must be a boolean");
        }
        return value == JsonToken.VALUE_TRUE;
    }
}
