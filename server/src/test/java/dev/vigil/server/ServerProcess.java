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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code vigil server --data DIR} in a JVM of its own, so a test can SIGKILL it ({@link #kill9()}) or let a crash
 * point halt it, then look at what it left behind. Its stderr goes to {@code DIR/../NAME.log}.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("devices on coaps://[^ ]*:(\\d+), management on (\\S+)");
    /** A JVM that starts fast and stays small: the server's work here is a handful of requests. */
    private static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xshare:auto", "-XX:-UsePerfData", "-Xmx192m");

    private final Process process;
    private final Path log;
    private final URI deviceUri;
    private final URI managementUri;

    private ServerProcess(Process process, Path log, URI deviceUri, URI managementUri) {
        this.process = process;
        this.log = log;
        this.deviceUri = deviceUri;
        this.managementUri = managementUri;
    }

    /**
     * Starts the server on {@code data} with free ports and returns once it listens.
     *
     * @param systemProperties e.g. {@code vigil.crashAt=after-commit:telemetry#3}
     */
    static ServerProcess start(Path data, String name, String... systemProperties) throws IOException {
        return start(data, 0, name, systemProperties);
    }

    /** As above, with devices on {@code port} (0: any free port). */
    static ServerProcess start(Path data, int port, String name, String... systemProperties) throws IOException {
        List<String> command = new ArrayList<>(java(Stream.of(systemProperties).map(p -> "-D" + p)
                .toArray(String[]::new)));
        command.addAll(List.of(Main.class.getName(), "server", "--data", data.toString(), "--port",
                String.valueOf(port), "--mgmt-port", "0"));
        Path log = data.resolveSibling(name + ".log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        String line = out.readLine();
        Matcher m = LISTENING.matcher(line == null ? "" : line);
        if (!m.find()) {
            process.destroyForcibly();
            throw new IllegalStateException("vigil server did not start (" + line + "): " + tail(log));
        }
        return new ServerProcess(process, log, URI.create("coaps://127.0.0.1:" + m.group(1)), URI.create(m.group(2)));
    }

    /** {@code java OPTIONS... -cp CLASSPATH}: a JVM like this one's, ready for a main class and its arguments. */
    static List<String> java(String... options) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        return command;
    }

    URI deviceUri() {
        return deviceUri;
    }

    URI managementUri() {
        return managementUri;
    }

    Process process() {
        return process;
    }

    /** SIGKILL, and wait until the process is gone. */
    int kill9() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor();
    }

    /** SIGTERM (a clean stop: the shutdown hook runs), and wait until the process is gone. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("vigil server did not stop within 60 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** What the server wrote to stderr (its log, and the line of a crash point it halted at). */
    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 2000));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
