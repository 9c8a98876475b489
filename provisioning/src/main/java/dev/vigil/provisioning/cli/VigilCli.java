package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

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

    @Command(name = "vigil", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "vigil 0.1.0",
            description = "Zero-trust CoAP/DTLS platform for constrained devices: operator CLI.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:ok", "1:refused or failed", "2:usage error", "3:cannot reach the server"})
    static final class Root {
    }

    @Command(name = "device", description = "Devices: register, import, list, show, lifecycle.")
    static final class Device {
    }

    @Command(name = "gateway", description = "Gateways: the children registered behind one.")
    static final class Gateway {
    }

    @Command(name = "telemetry", description = "Read telemetry.")
    static final class Telemetry {
    }

    @Command(name = "token", description = "Enrollment tokens.")
    static final class Token {
    }

    @Command(name = "key", description = "Device keys.")
    static final class Key {
    }

    @Command(name = "operator", description = "Operators: people and scripts holding operator keys.")
    static final class OperatorGroup {
    }

    @Command(name = "audit", description = "The hash-chained audit log.")
    static final class Audit {
    }

    @Command(name = "policy", description = "Least-privilege policy: device profiles and operator roles.")
    static final class Policy {
    }

    @Command(name = "command", description = "Commands for devices: send, list, show.")
    static final class CommandGroup {
    }

    @Command(name = "firmware", description = "Firmware: signing keys, signed images, rollouts in waves.")
    static final class FirmwareGroup {
    }

    @Command(name = "key", description = "Keys that may sign firmware manifests.")
    static final class FirmwareKeyGroup {
    }

    private VigilCli() {
    }

    public static CommandLine commandLine(CliContext context) {
        CommandLine cli = new CommandLine(new Root())
                .addSubcommand(new InitCommand(context))
                .addSubcommand(new ServerCommand(context))
                .addSubcommand(new RecoverCommand(context))
                .addSubcommand(new KeygenCommand(context))
                .addSubcommand(new CommandLine(new Device())
                        .addSubcommand(new DeviceCommands.Add(context))
                        .addSubcommand(new ImportCommand(context))
                        .addSubcommand(new DeviceCommands.ListDevices(context))
                        .addSubcommand(new RecordCommands.DeviceShow(context))
                        .addSubcommand(new DeviceCommands.Trust(context))
                        .addSubcommand(new LifecycleCommands.Approve(context))
                        .addSubcommand(new LifecycleCommands.Suspend(context))
                        .addSubcommand(new LifecycleCommands.Quarantine(context))
                        .addSubcommand(new LifecycleCommands.Reinstate(context))
                        .addSubcommand(new LifecycleCommands.Decommission(context)))
                .addSubcommand(new CommandLine(new Token()).addSubcommand(new AccessCommands.TokenCreate(context))
                        .addSubcommand(new AccessCommands.TokenList(context))
                        .addSubcommand(new AccessCommands.TokenRevoke(context)))
                .addSubcommand(new AccessCommands.WhoAmI(context))
                .addSubcommand(new CommandLine(new Key()).addSubcommand(new AccessCommands.KeyRotate(context)))
                .addSubcommand(new CommandLine(new OperatorGroup())
                        .addSubcommand(new AccessCommands.OperatorAdd(context))
                        .addSubcommand(new AccessCommands.OperatorList(context))
                        .addSubcommand(new AccessCommands.OperatorRemove(context))
                        .addSubcommand(new OperatorCommands.Role(context))
                        .addSubcommand(new OperatorCommands.RotateKey(context)))
                .addSubcommand(new CommandLine(new Telemetry())
                        .addSubcommand(new TelemetryCommands.Tail(context)))
                .addSubcommand(new CommandLine(new Audit())
                        .addSubcommand(new RecordCommands.AuditTail(context))
                        .addSubcommand(new RecordCommands.AuditVerify(context)))
                .addSubcommand(new CommandLine(new Policy())
                        .addSubcommand(new PolicyCommands.Validate(context))
                        .addSubcommand(new PolicyCommands.Apply(context))
                        .addSubcommand(new PolicyCommands.Show(context))
                        .addSubcommand(new PolicyDiff(context)))
                .addSubcommand(new CommandLine(new CommandGroup())
                        .addSubcommand(new CommandCommands.Send(context))
                        .addSubcommand(new CommandCommands.ListCommands(context))
                        .addSubcommand(new CommandCommands.Show(context)))
                .addSubcommand(new CommandLine(new FirmwareGroup())
                        .addSubcommand(new CommandLine(new FirmwareKeyGroup())
                                .addSubcommand(new FirmwareCommands.KeyAdd(context))
                                .addSubcommand(new FirmwareCommands.KeyList(context)))
                        .addSubcommand(new FirmwareCommands.Publish(context))
                        .addSubcommand(new FirmwareCommands.ListFirmware(context))
                        .addSubcommand(new FirmwareCommands.Show(context))
                        .addSubcommand(new CommandLine(new FirmwareCommands.Rollout(context))
                                .addSubcommand(new FirmwareCommands.RolloutStatus(context))
                                .addSubcommand(new FirmwareCommands.Pause(context))
                                .addSubcommand(new FirmwareCommands.Resume(context))
                                .addSubcommand(new FirmwareCommands.Abort(context))))
                .addSubcommand(new CommandLine(new Gateway()).addSubcommand(new GatewayCommands.Children(context)))
                .addSubcommand(new RecordCommands.Events(context))
                .addSubcommand(new RecordCommands.Status(context))
                .addSubcommand(new ConsoleCommand(context));
        // bash/zsh completion: source <(vigil completion)
        cli.addSubcommand("completion", new picocli.AutoComplete.GenerateCompletion());
        cli.getSubcommands().get("completion").getCommandSpec().usageMessage().hidden(false)
                .description("Print a bash/zsh completion script: source <(vigil completion)");
        addOperatorKeyAlias(cli);
        cli.setOut(context.out());
        cli.setErr(context.err());
        cli.setParameterExceptionHandler(usageError(context));
        cli.setExecutionExceptionHandler(failure(context));
        return cli;
    }

    /**
     * Gives every remote command whose subject has no key of its own ({@code device add} and
     * {@code operator add} do) a {@code --key FILE} option meaning {@code --operator-key FILE}.
     */
    private static void addOperatorKeyAlias(CommandLine cli) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            addOperatorKeyAlias(sub);
        }
        if (cli.getCommand() instanceof RemoteCommand remote && cli.getCommandSpec().findOption("--key") == null) {
            cli.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("--key")
                    .paramLabel("FILE").type(java.nio.file.Path.class)
                    .description("Operator key file (same as --operator-key).")
                    .setter(new CommandLine.Model.ISetter() {
                        @Override
                        public <T> T set(T value) {
                            remote.connection.operatorKey((java.nio.file.Path) value);
                            return null;
                        }
                    }).build());
        }
    }

    /** Runs {@code vigil args...} and returns the exit code. */
    public static int run(CliContext context, String... args) {
        int code;
        try {
            code = commandLine(context).execute(args);
        } catch (RuntimeException | Error e) { // never a stack trace: one line, exit 1
            context.err().println("vigil: failed: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                    + " (" + e.getClass().getSimpleName() + ")");
            code = ExitCodes.FAILED;
        }
        context.out().flush();
        context.err().flush();
        return code;
    }

    private static IParameterExceptionHandler usageError(CliContext context) {
        return (e, args) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            context.err().println(command + ": " + e.getMessage() + didYouMean(e) + " (see '" + command + " --help')");
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
            if (cause instanceof dev.vigil.provisioning.Refusal || cause instanceof dev.vigil.provisioning.RegistryException
                    || cause instanceof IllegalArgumentException) {
                context.err().println(command + ": " + String.valueOf(cause.getMessage()).lines().findFirst().orElse(""));
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

    /** "; did you mean 'device'?" for a mistyped command or option picocli finds close matches for. */
    private static String didYouMean(picocli.CommandLine.ParameterException e) {
        if (e instanceof picocli.CommandLine.UnmatchedArgumentException unmatched) {
            java.util.List<String> close = unmatched.getSuggestions();
            if (!close.isEmpty()) {
                return "; did you mean " + String.join(" or ", close.stream().limit(3).map(c -> "'" + c + "'").toList())
                        + "?";
            }
        }
        return "";
    }
}
