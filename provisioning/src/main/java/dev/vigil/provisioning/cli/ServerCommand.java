package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.DataDir;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code vigil server --data DIR}: runs the device and management endpoints in the foreground. */
@Command(name = "server", description = "Run the server (devices on CoAPS, operators on the management endpoint).")
final class ServerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data directory made by init.")
    Path data;

    @Option(names = "--port", paramLabel = "N", description = "CoAPS port for devices (default 5684; 0 = any).")
    Integer port;

    @Option(names = "--mgmt-port", paramLabel = "N", description = "Management port (default 5685; 0 = any).")
    Integer managementPort;

    @Option(names = "--db-password", hidden = true, paramLabel = "PASSWORD")
    String dbPassword;

    private final CliContext context;

    ServerCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (dbPassword != null) {
            throw new ParameterException(spec.commandLine(), "a database password on the command line is refused"
                    + " (others can read it): set " + dev.vigil.provisioning.store.DatabaseSettings.PASSWORD_VARIABLE
                    + " or VIGIL.DB_PASSWORD_FILE");
        }
        if (!new DataDir(data).isInitialised()) {
            throw new ParameterException(spec.commandLine(), data + " is not a Vigil data directory (run vigil init)");
        }
        checkPort("--port", port);
        checkPort("--mgmt-port", managementPort);
        context.launcher().run(data, port, managementPort);
        return ExitCodes.OK;
    }

    private void checkPort(String option, Integer value) {
        if (value != null && (value < 0 || value > 65535)) {
            throw new ParameterException(spec.commandLine(), option + " must be between 0 and 65535, not " + value);
        }
    }
}
