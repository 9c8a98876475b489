package dev.vigil.provisioning.console;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** URL pieces: path segments and form or query parameters. */
final class Paths {

    private Paths() {
    }

    /** {@code text} as one path segment (spaces as %20, not '+'). */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A raw path's segments, each %-decoded ('+' stays '+'); "/" has none. */
    static java.util.List<String> segments(String rawPath) {
        java.util.List<String> segments = new java.util.ArrayList<>();
        for (String raw : rawPath.split("/")) {
            if (!raw.isEmpty()) {
                segments.add(decode(raw.replace("+", "%2B")));
            }
        }
        return segments;
    }

    /** {@code a=1&b=2} as a map (the first of repeated names wins); null or empty gives an empty map. */
    static Map<String, String> parameters(String encoded) {
        Map<String, String> params = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return params;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.putIfAbsent(name, value);
        }
        return params;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return ""; // a malformed %-escape: treated as an empty value
        }
    }
}
