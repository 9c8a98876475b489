package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the commands need from outside: the transport to a management endpoint and a way to run
 * the server (both provided by the server module, so this module stays free of CoAP), the
 * environment, where to print, and standard input ({@code --stdin}).
 */
public record CliContext(Connector connector, ServerLauncher launcher, Map<String, String> environment,
        PrintWriter out, PrintWriter err, java.io.InputStream in) {

    /** A context reading standard input from the process's. */
    public CliContext(Connector connector, ServerLauncher launcher, Map<String, String> environment, PrintWriter out,
            PrintWriter err) {
        this(connector, launcher, environment, out, err, System.in);
    }

    /** Opens a management session. */
    @FunctionalInterface
    public interface Connector {
        ManagementClient connect(ManagementEndpoint endpoint) throws ManagementException;
    }

    /** Runs the server in the foreground until the process is told to stop. */
    @FunctionalInterface
    public interface ServerLauncher {
        void run(Path dataDir, Integer port, Integer managementPort) throws Exception;
    }
}
