package dev.vigil.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link Child} with the same class path: for what must not share a JVM with the
 * orchestrator (Scandium picks its JCE provider once per JVM; server heap must be measured alone).
 * Line protocol: the child answers each command line on stdin with one {@code @@ <json>} line on
 * stdout, and announces itself the same way once ready; its stderr goes to a log file.
 */
public final class Fork implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String PREFIX = "@@ ";

    private final String name;
    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;
    private final Path log;
    public final JsonNode ready;

    /**
     * @param provider CALIFORNIUM_JCE_PROVIDER for the child (SYSTEM, BC, BC_NON_BLOCKING_RANDOM), or null
     */
    public Fork(Ctx ctx, String name, String provider, List<String> jvmArgs, String... args) throws IOException {
        this.name = name;
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        if (provider != null) {
            command.add("-DCALIFORNIUM_JCE_PROVIDER=" + provider);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Child.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.remove("CALIFORNIUM_JCE_PROVIDER");
        if (provider != null) {
            env.put("CALIFORNIUM_JCE_PROVIDER", provider);
        }
        log = ctx.logs.resolve(name + ".log");
        builder.redirectError(ProcessBuilder.Redirect.to(log.toFile()));
        process = builder.start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        ready = read();
    }

    /** Sends one command and waits for its answer. */
    public JsonNode call(String command) throws IOException {
        in.println(command);
        if (in.checkError()) {
            throw new IOException(name + ": child's stdin is closed (see " + log + ")");
        }
        return read();
    }

    private JsonNode read() throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(PREFIX)) {
                JsonNode node = JSON.readTree(line.substring(PREFIX.length()));
                if (node.has("error")) {
                    throw new IOException(name + ": " + node.get("error").asText() + " (see " + log + ")");
                }
                return node;
            }
        }
        throw new IOException(name + " ended without an answer (exit " + exitCode() + "; see " + log + ")");
    }

    private String exitCode() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        try {
            in.println("quit");
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
