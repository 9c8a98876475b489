package dev.vigil.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code vigil console} as an operator runs it: the real CLI in a JVM of its own, against a node, with the admin key
 * {@code init} made. Its first line of output is the URL; {@link #close()} sends SIGTERM.
 */
final class ConsoleProcess implements AutoCloseable {

    private final Process process;
    private final URI url;
    private final Path log;

    private ConsoleProcess(Process process, URI url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    static ConsoleProcess start(VigilTestServer server, Path operatorKey) throws IOException {
        List<String> command = new ArrayList<>(ServerProcess.java());
        command.addAll(List.of(Main.class.getName(), "console", "--port", "0", "--server",
                server.managementUri().toString(), "--operator-key", operatorKey.toString(), "--server-key",
                server.dataDir().serverPublicKey().toString()));
        Path log = server.scratch("console-logs").resolve("console-" + System.nanoTime() + ".log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        String first = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        if (first == null || !first.startsWith("http://")) {
            process.destroyForcibly();
            throw new IllegalStateException("vigil console did not print its URL first (" + first + "): "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new ConsoleProcess(process, URI.create(first), log);
    }

    /** The URL it printed, with this run's secret. */
    URI url() {
        return url;
    }

    /** Its address without the secret. */
    String base() {
        return "http://" + url.getHost() + ":" + url.getPort();
    }

    /** SIGTERM, and its exit code once it stopped. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("vigil console ignored SIGTERM for 30 s");
        }
        return process.exitValue();
    }

    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
