package dev.vigil.device.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A value read from a file each interval: a Linux thermal zone (millidegrees), a 1-Wire sensor's
 * {@code w1_slave} (its CRC line must say YES; {@code t=} is in millidegrees), or the first number in any
 * other file. Reads at most 4 KiB.
 */
final class FileSource implements Source {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Pattern W1_TEMPERATURE = Pattern.compile("t=(-?\\d+)");

    private final Path file;
    private final String name;
    private final boolean millidegrees;

    FileSource(Path file) {
        this(file, name(file), false);
    }

    private FileSource(Path file, String name, boolean millidegrees) {
        this.file = file;
        this.name = name;
        this.millidegrees = millidegrees;
    }

    /** The CPU temperature from a thermal zone file, as {@code cpu-temp} in Cel. */
    static FileSource cpuTemperature(Path zone) {
        return new FileSource(zone, "cpu-temp", true);
    }

    /** A 1-Wire file is named after its sensor's directory ({@code 28-0000...}); any other after the file. */
    private static String name(Path file) {
        Path parent = file.getParent();
        String base = file.getFileName().toString().equals("w1_slave") && parent != null
                ? parent.getFileName().toString() : file.getFileName().toString();
        return base.length() > 64 ? base.substring(0, 64) : base;
    }

    @Override
    public List<Measurement> read(long nowMillis) throws IOException {
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            text = new String(in.readNBytes(4096), StandardCharsets.US_ASCII);
        }
        if (file.getFileName().toString().equals("w1_slave")) {
            if (!text.lines().findFirst().orElse("").trim().endsWith("YES")) {
                throw new IOException(file + ": the 1-Wire CRC check failed");
            }
            Matcher t = W1_TEMPERATURE.matcher(text);
            if (!t.find()) {
                throw new IOException(file + ": no t= in the 1-Wire reading");
            }
            return List.of(new Measurement(name, Long.parseLong(t.group(1)) / 1000.0, "Cel", nowMillis));
        }
        Matcher number = NUMBER.matcher(text);
        if (!number.find()) {
            throw new IOException(file + ": no number in it");
        }
        double value = Double.parseDouble(number.group());
        return List.of(new Measurement(name, millidegrees ? value / 1000.0 : value, millidegrees ? "Cel" : null,
                nowMillis));
    }
}
