package dev.vigil.provisioning.console;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Times as operators read them ("12s ago"), and durations as they type them ("30m", "1h", "2d"). */
final class Ago {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})([smhd])");

    private Ago() {
    }

    /** "12s ago", "3h ago"; "-" for null (not heard from since the node started). */
    static String since(String instant, Instant now) {
        if (instant == null || instant.isEmpty()) {
            return "-";
        }
        long s = Math.max(0, Duration.between(Instant.parse(instant), now).getSeconds());
        return s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s < 172_800 ? s / 3600 + "h ago"
                : s / 86_400 + "d ago";
    }

    /** "30m" as seconds; an IllegalArgumentException names the form expected. */
    static long seconds(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("a duration such as 30m, 1h or 2d, not '" + text + "'");
        }
        long unit = switch (m.group(2)) {
            case "s" -> 1;
            case "m" -> 60;
            case "h" -> 3600;
            default -> 86_400;
        };
        return Long.parseLong(m.group(1)) * unit;
    }
}
