package dev.vigil.policy;

/**
 * Dotted numeric firmware versions packed into a {@code long} that compares like the version:
 * {@code "1.10.0" > "1.9.9"}, and missing trailing parts are zero, so {@code "2.0"} equals
 * {@code "2.0.0"}. One to four parts, each 0-32767; no letters or suffixes.
 */
public final class FirmwareVersion {

    /** A device whose firmware version has not been reported. Lower than every version. */
    public static final long UNKNOWN = -1;

    private static final int PARTS = 4;
    private static final int MAX_PART = 0x7FFF;

    private FirmwareVersion() {
    }

    /** The packed form of {@code version}; throws {@link IllegalArgumentException} naming what is wrong. */
    public static long parse(String version) {
        String[] parts = version.split("\\.", -1);
        if (parts.length > PARTS) {
            throw new IllegalArgumentException("firmware version '" + version + "' has more than " + PARTS + " parts");
        }
        long packed = 0;
        for (int i = 0; i < PARTS; i++) {
            int part = i < parts.length ? part(version, parts[i]) : 0;
            packed = packed << 16 | part;
        }
        return packed;
    }

    /** The dotted form of a packed version, without trailing zero parts beyond the third. */
    public static String format(long packed) {
        if (packed == UNKNOWN) {
            return "unknown";
        }
        StringBuilder text = new StringBuilder();
        for (int shift = 48; shift >= 0; shift -= 16) {
            long part = packed >>> shift & 0xFFFF;
            if (shift == 0 && part == 0) {
                break;
            }
            text.append(text.length() == 0 ? "" : ".").append(part);
        }
        return text.toString();
    }

    private static int part(String version, String part) {
        if (part.isEmpty() || part.length() > 5 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("firmware version '" + version + "' is not dotted numbers like 1.2.10");
        }
        int value = Integer.parseInt(part);
        if (value > MAX_PART) {
            throw new IllegalArgumentException("firmware version '" + version + "' has a part above " + MAX_PART);
        }
        return value;
    }
}
