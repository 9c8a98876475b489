package dev.vigil.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Run-wide settings: quick or full mode, where logs and scratch data go. */
public final class Ctx {

    public final boolean quick;
    /** bench/target: report, logs. */
    public final Path out;
    public final Path logs;
    /** Scratch space for data directories, deleted at the end. */
    public final Path scratch;

    public Ctx(boolean quick, Path out) throws IOException {
        this.quick = quick;
        this.out = out;
        this.logs = Files.createDirectories(out.resolve("bench-logs"));
        this.scratch = Files.createTempDirectory("vigil-bench-");
    }

    /** {@code full} in a full run, {@code quick} in a --quick run. */
    public <T> T pick(T full, T quick) {
        return this.quick ? quick : full;
    }

    public int pick(int full, int quick) {
        return this.quick ? quick : full;
    }

    public Path scratch(String name) {
        try {
            return Files.createTempDirectory(scratch, name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    public static void log(String format, Object... args) {
        System.err.println("[bench " + LocalTime.now().format(TIME) + "] " + String.format(format, args));
        System.err.flush();
    }

    /** A benchmark step failed: one line, then the stack trace, on stderr (the run's log). */
    public static void failed(String what, Throwable e) {
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        log("%s failed: %s%n%s", what, e, trace);
    }

    public static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log("could not delete %s: %s", root, e.getMessage());
        }
    }
}
