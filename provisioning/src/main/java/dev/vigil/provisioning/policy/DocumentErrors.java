package dev.vigil.provisioning.policy;

import dev.vigil.provisioning.Printable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Collects a document's errors, placing each JSON Pointer at the line of the nearest value that exists. */
final class DocumentErrors {

    /** Line and column, 1-based. */
    record Position(int line, int column) {
    }

    private static final Position START = new Position(1, 1);

    private final Map<String, Position> positions;
    private final List<DocumentError> errors = new ArrayList<>();

    DocumentErrors(Map<String, Position> positions) {
        this.positions = positions;
    }

    void add(String path, String message) {
        addAt(path, positionOf(path), message);
    }

    /** Names in the path and the message come from the document: their control characters are escaped. */
    void addAt(String path, Position at, String message) {
        errors.add(new DocumentError(Printable.forTerminal(path), at.line(), at.column(), Printable.forTerminal(message)));
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    void throwIfAny() throws PolicyDocumentException {
        if (!errors.isEmpty()) {
            List<DocumentError> sorted = new ArrayList<>(errors);
            sorted.sort(Comparator.comparingInt(DocumentError::line).thenComparingInt(DocumentError::column));
            throw new PolicyDocumentException(sorted);
        }
    }

    private Position positionOf(String path) {
        for (String at = path; ; at = at.substring(0, at.lastIndexOf('/'))) {
            Position position = positions.get(at);
            if (position != null) {
                return position;
            }
            if (at.isEmpty()) {
                return START;
            }
        }
    }

    /** {@code parent} plus one reference token, escaped as RFC 6901 §3 requires. */
    static String at(String parent, String token) {
        return parent + "/" + token.replace("~", "~0").replace("/", "~1");
    }

    static String at(String parent, int index) {
        return parent + "/" + index;
    }
}
