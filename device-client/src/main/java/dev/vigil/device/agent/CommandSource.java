package dev.vigil.device.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Readings a program prints, one per line: {@code name=value [unit]}, e.g. {@code soil=31.5 %RH}. Run without
 * a shell, given 10 s (then it and its children are killed); other lines are ignored; a non-zero exit or a
 * timeout skips this interval's reading.
 */
final class CommandSource implements Source {

    private static final Pattern LINE = Pattern.compile("([A-Za-z0-9_.:-]{1,64})=(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)"
            + "(?:\\s+(\\S{1,16}))?\\s*");

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_OUTPUT = 16 * 1024;

    private final Path program;
    private final Duration timeout;

    CommandSource(Path program) {
        this(program, TIMEOUT);
    }

    CommandSource(Path program, Duration timeout) {
        this.program = program;
        this.timeout = timeout;
    }

    @Override
    public List<Measurement> read(long nowMillis) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Process process = new ProcessBuilder(program.toString()).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        // read on another thread: a program that hangs keeps its output open, and the wait below must still end
        FutureTask<byte[]> reading = new FutureTask<>(() -> {
            try (InputStream in = process.getInputStream()) {
                return in.readNBytes(MAX_OUTPUT);
            }
        });
        Thread reader = new Thread(reading, "vigil-source-output");
        reader.setDaemon(true);
        reader.start();
        String output;
        try {
            if (!process.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException();
            }
            output = new String(reading.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS),
                    StandardCharsets.UTF_8);
        } catch (TimeoutException e) {
            kill(process);
            throw new IOException(program + ": no exit within " + Durations.format(timeout));
        } catch (ExecutionException e) {
            kill(process);
            throw new IOException(program + ": output not read: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            kill(process);
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

    /** The program and what it started (a shell script's children hold its output open too). */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
