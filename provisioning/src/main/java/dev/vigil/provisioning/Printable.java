package dev.vigil.provisioning;

/**
 * Text that came from a peer (a request path, a SenML string, a file name), made safe to put in a log line,
 * a terminal or the audit log: control characters (C0, DEL, C1), line and paragraph separators and lone
 * surrogates become visible escapes ({@code \n}, {@code \u001b}), and a backslash becomes {@code \\}, so
 * an escaped text can neither forge a second line nor move the cursor, and two different texts never
 * escape to the same one. Everything else, non-ASCII letters included, stays as it is.
 */
public final class Printable {

    private Printable() {
    }

    /** {@code text} with every unsafe character escaped; null stays null. Allocates only if it must. */
    public static String escape(String text) {
        return escape(text, true);
    }

    /**
     * For a terminal: control characters escaped, backslashes left alone — for text that may be escaped
     * already (events, audit records), so {@code \n} is shown once, not as {@code \\n}.
     */
    public static String forTerminal(String text) {
        return escape(text, false);
    }

    private static String escape(String text, boolean backslashes) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (pair || safe(c) || (c == '\\' && !backslashes)) {
                if (out != null) {
                    out.append(c);
                    if (pair) {
                        out.append(text.charAt(i + 1));
                    }
                }
                i += pair ? 1 : 0;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out == null ? text : out.toString();
    }

    /** Whether {@code c}, not part of a surrogate pair, may be printed as it is. */
    private static boolean safe(char c) {
        return c >= 0x20 && c != '\\' && (c < 0x7f || c > 0x9f) && c != '\u2028' && c != '\u2029'
                && !Character.isSurrogate(c);
    }
}
