package dev.vigil.provisioning.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.policy.DocumentErrors.Position;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A JSON document read into a tree together with where each value starts: the field name for object
 * members, the value for array elements. Duplicate field names are errors, not last-one-wins. Nesting
 * deeper than {@link #MAX_DEPTH} is an error at the first value too deep (a policy needs 7 levels).
 */
record LocatedJson(JsonNode root, Map<String, Position> positions) {

    /** The deepest nesting of objects and arrays read. */
    static final int MAX_DEPTH = 32;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Jackson names its source inside some messages; only the line and column are worth keeping. */
    /** Jackson's limit messages name the setting behind them; the reader has no use for it. */
    private static final Pattern JACKSON_LIMIT = Pattern.compile(", from `[^`]*`\\)");
    private static final Pattern JACKSON_SOURCE = Pattern.compile("\\[Source: [^\\]]*?; (line: \\d+, column: \\d+)]");

    /** Reads {@code json}, or throws with the line and column of the first syntax error or duplicate field. */
    static LocatedJson read(String json) throws PolicyDocumentException {
        Map<String, Position> positions = new HashMap<>();
        DocumentErrors errors = new DocumentErrors(positions);
        try (JsonParser parser = FACTORY.createParser(json)) {
            try {
                if (parser.nextToken() == null) {
                    errors.add("", "the document is empty");
                    errors.throwIfAny();
                }
                positions.put("", position(parser.currentTokenLocation()));
                JsonNode root = value(parser, "", positions, errors);
                if (parser.nextToken() != null) {
                    errors.addAt("", position(parser.currentTokenLocation()), "unexpected content after the document");
                }
                errors.throwIfAny();
                return new LocatedJson(root, Map.copyOf(positions));
            } catch (StreamConstraintsException e) {
                // carries no location; the parser stands at the value that broke the limit
                errors.addAt("", position(parser.currentTokenLocation()), parser.getParsingContext().getNestingDepth()
                        >= MAX_DEPTH ? "nested deeper than " + MAX_DEPTH + " levels"
                        : JACKSON_LIMIT.matcher(firstLine(e)).replaceAll(")"));
                errors.throwIfAny();
                throw new IllegalStateException("unreachable");
            } catch (JsonProcessingException e) {
                String path = parser.getParsingContext().pathAsPointer().toString();
                String message = JACKSON_SOURCE.matcher(firstLine(e)).replaceAll("[$1]");
                errors.addAt(path, e.getLocation() == null ? position(parser.currentTokenLocation())
                        : position(e.getLocation()), message);
                errors.throwIfAny();
                throw new IllegalStateException("unreachable");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string cannot fail", e);
        }
    }

    private static JsonNode value(JsonParser parser, String path, Map<String, Position> positions,
            DocumentErrors errors) throws IOException {
        switch (parser.currentToken()) {
            case START_OBJECT:
                ObjectNode object = NODES.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    String child = DocumentErrors.at(path, name);
                    Position at = position(parser.currentTokenLocation());
                    parser.nextToken();
                    if (object.has(name)) {
                        // said here, before the duplicate's value is read: whatever is wrong inside it comes second
                        errors.addAt(child, at, "duplicate field '" + name + "' (first at line "
                                + positions.get(child).line() + ")");
                        parser.skipChildren();
                    } else {
                        positions.put(child, at);
                        object.set(name, value(parser, child, positions, errors));
                    }
                }
                return object;
            case START_ARRAY:
                ArrayNode array = NODES.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    String child = DocumentErrors.at(path, array.size());
                    positions.put(child, position(parser.currentTokenLocation()));
                    array.add(value(parser, child, positions, errors));
                }
                return array;
            case VALUE_STRING:
                return NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                try {
                    return parser.currentToken() == JsonToken.VALUE_NUMBER_INT ? NODES.numberNode(parser.getBigIntegerValue())
                            : NODES.numberNode(parser.getDecimalValue());
                } catch (NumberFormatException e) {
                    // an exponent beyond what BigDecimal holds (1e30810485760)
                    String text = parser.getText();
                    errors.addAt(path, position(parser.currentTokenLocation()), "number out of range: "
                            + (text.length() > 40 ? text.substring(0, 40) + "..." : text));
                    return NODES.nullNode();
                }
            case VALUE_TRUE:
            case VALUE_FALSE:
                return NODES.booleanNode(parser.getBooleanValue());
            default:
                return NODES.nullNode();
        }
    }

    /** Jackson's message without the excerpt of the document it may add on further lines. */
    private static String firstLine(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static Position position(JsonLocation location) {
        return new Position(Math.max(1, location.getLineNr()), Math.max(1, location.getColumnNr()));
    }
}
