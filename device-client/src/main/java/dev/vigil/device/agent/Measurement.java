package dev.vigil.device.agent;

import java.util.regex.Pattern;

/**
 * One value a source produced, before it is queued: SenML {@code n}, {@code v}, {@code u} and the time it was taken.
 *
 * <p>Validated to what the server accepts, so a queued reading can never be one the server refuses for its form and
 * that would then sit at the head of the queue forever: the name is 1 to {@value #MAX_NAME_LENGTH} characters of the
 * SenML name alphabet (RFC 8428 §4.5.1: letters, digits, {@code - : . / _}, starting with a letter or digit); the value
 * is finite; the unit is null or 1 to {@value #MAX_UNIT_LENGTH} characters with no control characters. The time is
 * not checked (what the server accepts depends on its clock); {@code timeMillis} is milliseconds since the epoch.
 *
 * @throws IllegalArgumentException for a name, value or unit outside those rules
 */
public record Measurement(String name, double value, String unit, long timeMillis) {

    /** The longest name, in characters (all ASCII, so also in bytes). */
    public static final int MAX_NAME_LENGTH = 64;
    /** The longest unit, in characters (up to 3 bytes each in UTF-8). */
    public static final int MAX_UNIT_LENGTH = 32;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9:./_-]*");

    public Measurement {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a measurement name is 1 to " + MAX_NAME_LENGTH
                    + " characters of A-Z a-z 0-9 - : . / _ starting with a letter or digit, not " + quote(name));
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("measurement " + name + " has the value " + value
                    + ": a value must be a finite number");
        }
        if (unit != null && !validUnit(unit)) {
            throw new IllegalArgumentException("measurement " + name + ": a unit is null or 1 to " + MAX_UNIT_LENGTH
                    + " characters without control characters, not " + quote(unit));
        }
    }

    /** A measurement without a unit. */
    public Measurement(String name, double value, long timeMillis) {
        this(name, value, null, timeMillis);
    }

    private static boolean validUnit(String unit) {
        if (unit.isEmpty() || unit.length() > MAX_UNIT_LENGTH) {
            return false;
        }
        for (int i = 0; i < unit.length(); i++) {
            char c = unit.charAt(i);
            if (Character.isISOControl(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) { // must be followed by its low half, or UTF-8 cannot hold it
                if (i + 1 == unit.length() || !Character.isLowSurrogate(unit.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder out = new StringBuilder("\"");
        shown.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.append('"').toString();
    }
}
