package dev.vigil.provisioning.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, strict reads of one JSON object of a policy document: unknown fields, missing required ones
 * and wrong types are errors at their JSON Pointer. A field in error reads as a harmless placeholder so
 * reading goes on and reports everything; the document is refused anyway.
 */
final class JsonFields {

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

    private final JsonNode object;
    private final String path;
    private final DocumentErrors errors;

    private JsonFields(JsonNode object, String path, DocumentErrors errors) {
        this.object = object;
        this.path = path;
        this.errors = errors;
    }

    /** {@code node} as an object with only {@code known} fields; a non-object reads as an empty one. */
    static JsonFields of(JsonNode node, String path, DocumentErrors errors, Set<String> known) {
        if (!node.isObject()) {
            errors.add(path, "must be an object");
            return new JsonFields(JsonNodeFactory.instance.objectNode(), path, errors);
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                errors.add(DocumentErrors.at(path, name), "unknown field '" + name + "'; expected one of "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        });
        return new JsonFields(node, path, errors);
    }

    /** Reports each of {@code fields} that is missing; returns this. */
    JsonFields require(String... fields) {
        for (String field : fields) {
            if (!object.has(field)) {
                errors.add(path(field), "missing required field '" + field + "'");
            }
        }
        return this;
    }

    String path(String field) {
        return DocumentErrors.at(path, field);
    }

    boolean has(String field) {
        return object.has(field);
    }

    /** The nested object {@code field} with only {@code known} fields; empty when absent. */
    JsonFields object(String field, String... known) {
        JsonNode value = object.has(field) ? object.get(field) : JsonNodeFactory.instance.objectNode();
        return of(value, path(field), errors, Set.of(known));
    }

    /** Calls {@code member} for each member of the object {@code field}, in document order. */
    void members(String field, BiConsumer<String, JsonNode> member) {
        JsonNode value = object.get(field);
        if (value != null && !value.isObject()) {
            errors.add(path(field), "must be an object of " + field + " by name");
        } else if (value != null) {
            value.fields().forEachRemaining(entry -> member.accept(entry.getKey(), entry.getValue()));
        }
    }

    String text(String field, String absent) {
        JsonNode value = object.get(field);
        return value == null ? absent : text(value, path(field));
    }

    private String text(JsonNode value, String at) {
        if (!value.isTextual()) {
            errors.add(at, "must be a string");
            return "";
        }
        return value.textValue();
    }

    List<String> texts(String field) {
        return list(field, this::text);
    }

    List<Integer> integers(String field) {
        return list(field, (value, at) -> (int) whole(value, at, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    <T> List<T> list(String field, BiFunction<JsonNode, String, T> element) {
        JsonNode value = object.get(field);
        List<T> list = new ArrayList<>();
        if (value != null && !value.isArray()) {
            errors.add(path(field), "must be an array");
        } else if (value != null) {
            for (int i = 0; i < value.size(); i++) {
                list.add(element.apply(value.get(i), DocumentErrors.at(path(field), i)));
            }
        }
        return list;
    }

    long whole(String field, long absent, long min, long max) {
        JsonNode value = object.get(field);
        return value == null ? absent : whole(value, path(field), min, max);
    }

    private long whole(JsonNode value, String at, long min, long max) {
        if (!value.isIntegralNumber()) {
            errors.add(at, value.isNumber() ? "must be a whole number" : "must be a number");
        } else if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            errors.add(at, "must be from " + min + " to " + max);
        } else {
            return value.longValue();
        }
        return 0;
    }

    double number(String field, double absent) {
        JsonNode value = object.get(field);
        if (value != null && !value.isNumber()) {
            errors.add(path(field), "must be a number");
        }
        return value != null && value.isNumber() ? value.doubleValue() : absent;
    }

    boolean bool(String field) {
        JsonNode value = object.get(field);
        if (value != null && !value.isBoolean()) {
            errors.add(path(field), "must be true or false");
        }
        return value != null && value.booleanValue();
    }

    /** A duration such as {@code "90s"}, {@code "30m"}, {@code "24h"}, {@code "365d"} or {@code "500ms"}; null if absent. */
    Duration duration(String field) {
        String text = text(field, null);
        if (text == null) {
            return null;
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            errors.add(path(field), "'" + text + "' is not a duration such as 90s, 30m, 24h or 365d");
            return Duration.ofSeconds(1);
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
