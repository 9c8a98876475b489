package dev.vigil.provisioning;

/**
 * Text from a user's file made safe to quote in a one-line message: line breaks, tabs and other control
 * characters written as Java escapes (backslash-n, backslash-u001b), so one message stays one line and
 * cannot drive the terminal it is printed on.
 */
public final class Printable {

    private Printable() {
    }

    public static String of(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
