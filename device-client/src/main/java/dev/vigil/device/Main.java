package dev.vigil.device;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vigil-device}: the reference device CLI. Exit codes: 0 ok (2.xx), 1 refused, 2 usage,
 * 3 no answer from the server.
 */
@Command(name = "vigil-device", mixinStandardHelpOptions = true, version = "vigil-device 0.1.0",
        description = "Vigil reference device client.",
        subcommands = {Main.Keygen.class, Main.Enroll.class, Main.Send.class, Main.Rotate.class},
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
            err.println(command + ": " + e.getMessage() + " (see '" + command + " --help')");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            err.println(c.getCommandSpec().qualifiedName() + ": " + (e instanceof IOException ? e.getMessage() : e));
            return REFUSED;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Command(name = "keygen", description = "Make the device key pair (EC P-256) in the state directory.")
    static final class Keygen implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--state", required = true, paramLabel = "DIR", description = "Device state directory.")
        Path state;

        @Override
        public Integer call() throws IOException {
            KeyPair pair = DeviceKeys.generate(state);
            PrintWriter out = spec.commandLine().getOut();
            out.println(DeviceKeys.keyId(pair.getPublic()));
            out.flush();
            return OK;
        }
    }

    @Command(name = "send", description = "Send one SenML CBOR reading batch to /t (for duty-cycled devices).")
    static final class Send implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--state", required = true, paramLabel = "DIR", description = "Device state directory.")
        Path state;

        @Option(names = "--server", required = true, paramLabel = "URI", description = "e.g. coaps://host:5684")
        URI server;

        @Option(names = "--server-key", paramLabel = "FILE",
                description = "Server public key to pin (default: the one enrollment stored in the state directory).")
        Path serverKey;

        @Option(names = "--value", required = true, paramLabel = "NAME=NUMBER",
                description = "A reading, e.g. temp=21.5; repeat for several.")
        List<String> values;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "20",
                description = "How long to wait for an answer (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Option(names = "--resource", paramLabel = "PATH", defaultValue = "t",
                description = "Resource to POST to (default ${DEFAULT-VALUE}).")
        String resource;

        @Override
        public Integer call() throws IOException {
            Map<String, Double> readings = parse();
            if (!"coaps".equals(server.getScheme()) || server.getHost() == null) {
                throw new ParameterException(spec.commandLine(), "--server must be coaps://host:port, not " + server);
            }
            PublicKey pinned = DeviceKeys.readPublicKey(pinnedServerKey(state, serverKey));
            if (new KeyRotator(state, server, pinned, timeoutSeconds * 1000L).recover() == KeyRotator.Result.RECOVERED) {
                spec.commandLine().getErr().println("vigil-device: finished an interrupted key rotation");
            }
            KeyPair key = DeviceKeys.load(state);
            try (DeviceClient client = new DeviceClient(server, key, pinned).timeout(timeoutSeconds * 1000L)) {
                DeviceClient.Outcome outcome = client.sendTelemetry(resource, SenmlCbor.encode(readings));
                if (outcome.isSuccess()) {
                    spec.commandLine().getOut().println("sent " + readings.size() + " reading(s): " + outcome);
                    if (rotationRequested(outcome)) {
                        spec.commandLine().getOut().println("the server asks for a new key: rotating");
                        client.close();
                        KeyRotator.Result rotated = new KeyRotator(state, server, pinned, timeoutSeconds * 1000L).rotate();
                        spec.commandLine().getOut().println("rotation: " + rotated.name().toLowerCase());
                    }
                    return OK;
                }
                spec.commandLine().getErr().println("vigil-device send: " + outcome);
                return exitCode(outcome);
            }
        }

        private Map<String, Double> parse() {
            Map<String, Double> readings = new LinkedHashMap<>();
            for (String value : values) {
                int eq = value.indexOf('=');
                try {
                    if (eq < 1) {
                        throw new NumberFormatException();
                    }
                    readings.put(value.substring(0, eq), Double.parseDouble(value.substring(eq + 1)));
                } catch (NumberFormatException e) {
                    throw new ParameterException(spec.commandLine(),
                            "--value must be NAME=NUMBER, e.g. temp=21.5, not '" + value + "'");
                }
            }
            return readings;
        }
    }

    /** The server key to pin: the option's file, else the one enrollment stored. */
    static Path pinnedServerKey(Path state, Path option) throws IOException {
        Path file = option != null ? option : state.resolve(Enrollment.SERVER_KEY_FILE);
        if (!java.nio.file.Files.exists(file)) {
            throw new IOException("no server key: give --server-key FILE (nothing pinned in " + state + " yet)");
        }
        return file;
    }

    static boolean rotationRequested(DeviceClient.Outcome outcome) {
        try {
            return outcome.payload() != null && outcome.payload().length > 0
                    && Cbor.read(outcome.payload()).path("rotate").asBoolean(false);
        } catch (IOException e) {
            return false;
        }
    }

    static int exitCode(DeviceClient.Outcome outcome) {
        if (outcome.isSuccess()) {
            return OK;
        }
        return outcome.code() == null && outcome.failure().startsWith("no answer") ? NO_ANSWER : REFUSED;
    }

    @Command(name = "enroll", description = "Enroll this device's key with a one-time token from an operator.")
    static final class Enroll implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--state", required = true, paramLabel = "DIR", description = "Device state directory.")
        Path state;

        @Option(names = "--server", required = true, paramLabel = "URI", description = "e.g. coaps://host:5684")
        URI server;

        @Option(names = "--server-key", required = true, paramLabel = "FILE",
                description = "Server public key to pin; kept in the state directory.")
        Path serverKey;

        @Option(names = "--token", required = true, paramLabel = "TOKEN", description = "From vigil token create.")
        String token;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "20")
        int timeoutSeconds;

        @Override
        public Integer call() throws IOException {
            DeviceClient.Outcome outcome = Enrollment.enroll(state, server, serverKey, token, timeoutSeconds * 1000L);
            if (outcome.isSuccess()) {
                Enrollment.Result result = Enrollment.read(state);
                spec.commandLine().getOut().printf("enrolled as %s (profile %s, %s)%n", result.name(),
                        result.profile(), result.state());
                return OK;
            }
            spec.commandLine().getErr().println("vigil-device enroll: " + (outcome.code() != null
                    && outcome.code().name().equals("FORBIDDEN") ? "refused: the token is spent, expired or wrong"
                    : outcome.toString()));
            return exitCode(outcome);
        }
    }

    @Command(name = "rotate", description = "Replace the device key without ever being locked out.")
    static final class Rotate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--state", required = true, paramLabel = "DIR", description = "Device state directory.")
        Path state;

        @Option(names = "--server", required = true, paramLabel = "URI", description = "e.g. coaps://host:5684")
        URI server;

        @Option(names = "--server-key", paramLabel = "FILE", description = "Server public key (default: pinned).")
        Path serverKey;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "20")
        int timeoutSeconds;

        @Override
        public Integer call() throws IOException {
            PublicKey pinned = DeviceKeys.readPublicKey(pinnedServerKey(state, serverKey));
            KeyRotator.Result result = new KeyRotator(state, server, pinned, timeoutSeconds * 1000L).rotate();
            PrintWriter out = spec.commandLine().getOut();
            switch (result) {
                case ROTATED -> {
                    out.println("rotated: new key " + DeviceKeys.keyId(DeviceKeys.load(state).getPublic()));
                    return OK;
                }
                case NO_ANSWER -> {
                    spec.commandLine().getErr().println("vigil-device rotate: no answer from " + server
                            + "; run rotate again to finish");
                    return NO_ANSWER;
                }
                default -> {
                    spec.commandLine().getErr().println("vigil-device rotate: refused by the server; the current key"
                            + " stays in use");
                    return REFUSED;
                }
            }
        }
    }
}
