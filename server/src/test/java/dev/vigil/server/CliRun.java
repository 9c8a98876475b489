package dev.vigil.server;

import dev.vigil.provisioning.cli.VigilCli;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code vigil} CLI in-process with the real CoAPS transport, capturing its output. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun vigil(String... args) {
        return vigilWithStdin("", args);
    }

    /** Runs {@code vigil args...} with {@code stdin} as its standard input. */
    public static CliRun vigilWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VigilCli.run(Main.context(new PrintWriter(out), new PrintWriter(err),
                new java.io.ByteArrayInputStream(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8))), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Error output as lines (a clear error is exactly one). */
    public String[] errLines() {
        return err.isEmpty() ? new String[0] : err.split("\\R");
    }
}
