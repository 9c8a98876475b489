package dev.vigil.provisioning.management;

import dev.vigil.provisioning.keys.PemFiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.PublicKey;

/** Reading operation arguments; a missing or malformed one is an IllegalArgumentException (4.00). */
final class Args {

    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Args() {
    }

    static String text(JsonNode args, String field) {
        JsonNode value = args.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("missing text field '" + field + "'");
        }
        return value.asText();
    }

    static String optionalText(JsonNode args, String field) {
        JsonNode value = args.get(field);
        return value == null || value.isNull() ? null : text(args, field);
    }

    static int integer(JsonNode args, String field, int fallback, int min, int max) {
        JsonNode value = args.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!isWhole(value) || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
            throw new IllegalArgumentException(field + " must be a whole number between " + min + " and " + max);
        }
        return value.asInt();
    }

    static long number(JsonNode args, String field, long fallback) {
        JsonNode value = args.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!isWhole(value) || !value.canConvertToLong() || value.asLong() < 0) {
            throw new IllegalArgumentException(field + " must be a whole number of at least 0");
        }
        return value.asLong();
    }

    /** Beyond 2^53 a double is always whole, whatever the text said after its point. */
    private static final double EXACT_WHOLE_LIMIT = 0x1p53;

    /**
     * A JSON integer, or a float with nothing after the point (1e3) that a double holds exactly: never
     * truncated, never rounded, never text.
     */
    private static boolean isWhole(JsonNode value) {
        if (value.isIntegralNumber()) {
            return true;
        }
        double number = value.doubleValue();
        return value.isFloatingPointNumber() && Math.abs(number) <= EXACT_WHOLE_LIMIT && number == Math.rint(number);
    }

    static PublicKey publicKey(JsonNode args, String field) {
        try {
            return PemFiles.parsePublicKey(text(args, field), field);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** A base64 text field's bytes. */
    static byte[] base64(JsonNode args, String field) {
        try {
            return java.util.Base64.getDecoder().decode(text(args, field));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field '" + field + "' is not base64");
        }
    }

    static ObjectNode object() {
        return JSON.objectNode();
    }
}
