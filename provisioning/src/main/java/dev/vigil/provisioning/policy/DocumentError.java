package dev.vigil.provisioning.policy;

/**
 * One problem in a policy document, where an operator's editor can find it.
 *
 * @param path JSON Pointer of the value at fault (a missing field's would-be pointer)
 * @param line 1-based line of the value, or of its nearest enclosing value that exists
 * @param column 1-based column on that line
 * @param message what is wrong
 */
public record DocumentError(String path, int line, int column, String message) {

    /** The CLI form: {@code policies/site.json:12:5: /profiles/sensor/send/0/rate/burst: burst must be ...}. */
    public String format(String file) {
        return file + ":" + line + ":" + column + ": " + located();
    }

    @Override
    public String toString() {
        return "line " + line + ", column " + column + ": " + located();
    }

    /** The message after its path; the whole document's path is empty and left out. */
    private String located() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
