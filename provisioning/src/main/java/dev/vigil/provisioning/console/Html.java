package dev.vigil.provisioning.console;

import java.util.List;

/** HTML text: every piece of registry or request text goes through {@link #esc} before it reaches a page. */
final class Html {

    private Html() {
    }

    /** {@code text} safe inside an element or a quoted attribute (HTML and SVG); null is empty. */
    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(Character.isISOControl(c) && c != '\n' && c != '\t' ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    /** A table whose cells are already HTML (escape text cells with {@link #esc}). */
    static String table(String cssClass, List<String> headings, List<List<String>> rows, String whenEmpty) {
        if (rows.isEmpty()) {
            return "<p class=\"empty\">" + esc(whenEmpty) + "</p>";
        }
        StringBuilder out = new StringBuilder("<table class=\"").append(cssClass).append("\"><thead><tr>");
        headings.forEach(h -> out.append("<th>").append(esc(h)).append("</th>"));
        out.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            out.append("<tr>");
            row.forEach(cell -> out.append("<td>").append(cell).append("</td>"));
            out.append("</tr>");
        }
        return out.append("</tbody></table>").toString();
    }

    /** An ISO instant as "2026-12-01 04:07:00" (UTC, whole seconds), kept on one line; other text escaped as is. */
    static String time(String instant) {
        if (instant == null || instant.isEmpty()) {
            return "-";
        }
        try {
            String t = java.time.Instant.parse(instant).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            return "<span class=\"t\" title=\"" + esc(instant) + "\">" + t.replace('T', ' ').replace("Z", "")
                    + "</span>";
        } catch (java.time.format.DateTimeParseException e) {
            return esc(instant);
        }
    }

    /** Escaped text that may break anywhere (hashes, key ids inside audit values), so tables keep their width. */
    static String breakable(String text) {
        return text == null || text.length() <= 40 ? esc(text) : "<span class=\"long\">" + esc(text) + "</span>";
    }

    /** A link to a device's page. */
    static String deviceLink(String name) {
        return "<a href=\"/devices/" + esc(Paths.segment(name)) + "\">" + esc(name) + "</a>";
    }

    /** A state or tier as a coloured badge. */
    static String badge(String value) {
        String v = value == null || value.isEmpty() ? "-" : value;
        return "<span class=\"badge b-" + esc(v.toLowerCase(java.util.Locale.ROOT)) + "\">" + esc(v) + "</span>";
    }

    /** A refusal from the management endpoint, as a plain message. */
    static String refused(String what, String message) {
        return "<p class=\"refused\">" + esc(what) + ": " + esc(message) + "</p>";
    }
}
