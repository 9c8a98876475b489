package dev.vigil.device.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Readings a program prints, one per line: {@code name=value [unit]}, e.g. {@code soil=31.5 %RH}. Run without
 * a shell, given 10 s; other lines are ignored; a non-zero exit or a timeout skips this interval's reading.
 */
final class CommandSource implements Source {

    private static final Pattern LINE = Pattern.compile("([A-Za-z0-9_.:-]{1,64})=(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)"
            + "(?:\\s+(\\S{1,16}))?\\s*");

    private final Path program;

    CommandSource(Path program) {
        this.program = program;
    }

    @Override
    public List<Measurement> read(long nowMillis) throws IOException {
        Process process = new ProcessBuilder(program.toString()).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readNBytes(16 * 1024), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(program + ": no exit within 10 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(program + ": interrupted");
        }
        if (process.exitValue() != 0) {
            throw new IOException(program + ": exit " + process.exitValue());
        }
        List<Measurement> values = new ArrayList<>();
        for (String line : output.split("\n")) {
            Matcher m = LINE.matcher(line.strip());
            if (m.matches()) {
                double value = Double.parseDouble(m.group(2));
                try {
                    values.add(new Measurement(m.group(1), value, m.group(3), nowMillis));
                } catch (IllegalArgumentException e) {
                    // not a value the server would take (a name outside SenML's alphabet, infinity): skipped
                }
            }
        }
        return values;
    }
}
