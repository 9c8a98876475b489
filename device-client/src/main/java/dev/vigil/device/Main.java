package dev.vigil.device;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vigil-device}: the reference device CLI. Exit codes: 0 ok (2.xx), 1 refused, 2 usage,
 * 3 no answer from the server.
 */
@Command(name = "vigil-device", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "vigil-device 0.1.0",
        description = "Vigil reference device client.",
        subcommands = {KeygenCommand.class, EnrollCommand.class, SendCommand.class, RotateCommand.class,
            CommandsCommand.class, UpdateCommand.class, RunCommand.class, StatusCommand.class, SimulateCommand.class,
            GatewayCommand.class, OscoreSendCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok (2.xx)", "1:refused", "2:usage error", "3:no answer from the server"})
public final class Main {

    static final int OK = 0;
    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int NO_ANSWER = 3;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8), args));
    }

    /** Runs {@code vigil-device args...}; every error is one line on {@code err}. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println(command + ": " + e.getMessage() + didYouMean(e) + " (see '" + command + " --help')");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            String message = e instanceof java.nio.file.NoSuchFileException missing ? "no such file: " + missing.getFile()
                    : e instanceof IOException ? e.getMessage() : e.toString();
            err.println(c.getCommandSpec().qualifiedName() + ": " + message);
            return REFUSED;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static int exitCode(DeviceClient.Outcome outcome) {
        if (outcome.isSuccess()) {
            return OK;
        }
        return outcome.code() == null && outcome.failure().startsWith("no answer") ? NO_ANSWER : REFUSED;
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
