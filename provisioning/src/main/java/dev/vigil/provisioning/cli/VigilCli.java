package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.ManagementException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;

/**
 * The {@code vigil} operator CLI. Every error is one line on stderr and a documented exit code:
 * 0 ok, 1 refused or failed, 2 usage, 3 cannot reach the server.
 */
public final class VigilCli {

    @Command(name = "vigil", mixinStandardHelpOptions = true, version = "vigil 0.1.0",
            description = "Zero-trust CoAP/DTLS platform for constrained devices: operator CLI.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:ok", "1:refused or failed", "2:usage error", "3:cannot reach the server"})
    static final class Root {
    }

    @Command(name = "device", description = "Register and list devices.")
    static final class Device {
    }

    @Command(name = "telemetry", description = "Read telemetry.")
    static final class Telemetry {
    }

    private VigilCli() {
    }

    public static CommandLine commandLine(CliContext context) {
        CommandLine cli = new CommandLine(new Root())
                .addSubcommand(new InitCommand(context))
                .addSubcommand(new ServerCommand(context))
                .addSubcommand(new CommandLine(new Device())
                        .addSubcommand(new DeviceCommands.Add(context))
                        .addSubcommand(new DeviceCommands.ListDevices(context)))
                .addSubcommand(new CommandLine(new Telemetry())
                        .addSubcommand(new TelemetryCommands.Tail(context)));
        cli.setOut(context.out());
        cli.setErr(context.err());
        cli.setParameterExceptionHandler(usageError(context));
        cli.setExecutionExceptionHandler(failure(context));
        return cli;
    }

    /** Runs {@code vigil args...} and returns the exit code. */
    public static int run(CliContext context, String... args) {
        int code = commandLine(context).execute(args);
        context.out().flush();
        context.err().flush();
        return code;
    }

    private static IParameterExceptionHandler usageError(CliContext context) {
        return (e, args) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            context.err().println(command + ": " + e.getMessage() + " (see '" + command + " --help')");
            return ExitCodes.USAGE;
        };
    }

    private static IExecutionExceptionHandler failure(CliContext context) {
        return (e, cli, parsed) -> {
            String command = cli.getCommandSpec().qualifiedName();
            Throwable cause = e instanceof java.io.UncheckedIOException ? e.getCause() : e;
            if (cause instanceof ManagementException refused) {
                context.err().println(command + ": " + refused.getMessage());
                return ExitCodes.of(refused);
            }
            if (cause instanceof NoSuchFileException missing) {
                context.err().println(command + ": no such file: " + missing.getFile());
                return ExitCodes.FAILED;
            }
            if (cause instanceof IOException io) {
                context.err().println(command + ": " + io.getMessage());
                return ExitCodes.FAILED;
            }
            context.err().println(command + ": failed: " + cause);
            return ExitCodes.FAILED;
        };
    }
}
