package dev.vigil.provisioning.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
 * members, the value for array elements. Duplicate field names are errors, not last-one-wins.
 */
record LocatedJson(JsonNode root, Map<String, Position> positions) {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Jackson names its source inside some messages; only the line and column are worth keeping. */
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
            } catch (JsonProcessingException e) {
                String path = parser.getParsingContext().pathAsPointer().toString();
                String message = JACKSON_SOURCE.matcher(e.getOriginalMessage()).replaceAll("[$1]");
                errors.addAt(path, position(e.getLocation()), message);
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
                    JsonNode member = value(parser, child, positions, errors);
                    if (object.has(name)) {
                        errors.addAt(child, at, "duplicate field '" + name + "'");
                    } else {
                        positions.put(child, at);
                        object.set(name, member);
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
                return NODES.numberNode(parser.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(parser.getDecimalValue());
            case VALUE_TRUE:
            case VALUE_FALSE:
                return NODES.booleanNode(parser.getBooleanValue());
            default:
                return NODES.nullNode();
        }
    }

    private static Position position(JsonLocation location) {
        return new Position(Math.max(1, location.getLineNr()), Math.max(1, location.getColumnNr()));
    }
}
