package dev.vigil.device;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vigil-device send}: one SenML CBOR POST, for duty-cycled devices. Finishes an interrupted key
 * rotation first, and rotates when the server's answer asks for it.
 */
@Command(name = "send", description = "Send one SenML CBOR reading batch to /t (for duty-cycled devices).")
final class SendCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions options;

    @Option(names = "--value", required = true, paramLabel = "NAME=NUMBER",
            description = "A reading, e.g. temp=21.5; repeat for several.")
    List<String> values;

    @Option(names = "--resource", paramLabel = "PATH", defaultValue = "t",
            description = "Resource to POST to (default ${DEFAULT-VALUE}).")
    String resource;

    @Override
    public Integer call() throws IOException {
        Map<String, Double> readings = parse();
        options.server(); // usage errors first
        DeviceKeys.load(options.state); // then a missing key says "run keygen" before anything else
        PrintWriter out = spec.commandLine().getOut();
        if (options.rotator().recover() == KeyRotator.Result.RECOVERED) {
            spec.commandLine().getErr().println("vigil-device: finished an interrupted key rotation");
        }
        DeviceClient.Outcome outcome;
        try (DeviceClient client = options.client(DeviceKeys.load(options.state))) {
            outcome = client.sendTelemetry(resource, SenmlCbor.encode(readings));
        }
        if (!outcome.isSuccess()) {
            spec.commandLine().getErr().println("vigil-device send: " + outcome);
            return Main.exitCode(outcome);
        }
        out.println("sent " + readings.size() + " reading(s): " + outcome);
        if (flag(outcome, "commands")) {
            out.println("commands are waiting: vigil-device commands fetches them");
        }
        if (flag(outcome, "rotate")) {
            out.println("the server asks for a new key: rotating");
            out.println("rotation: " + options.rotator().rotate().name().toLowerCase(Locale.ROOT));
        }
        return Main.OK;
    }

    /** Whether the server's answer sets {@code flag} ({@code rotate}: a new key; {@code commands}: fetch /cmd). */
    private static boolean flag(DeviceClient.Outcome outcome, String flag) {
        try {
            return outcome.payload() != null && outcome.payload().length > 0
                    && Cbor.read(outcome.payload()).path(flag).asBoolean(false);
        } catch (IOException e) {
            return false;
        }
    }

    private Map<String, Double> parse() {
        return readings(values, spec);
    }

    /** {@code --value NAME=NUMBER} options as readings in the given order; a malformed one is a usage error. */
    static Map<String, Double> readings(List<String> values, CommandSpec spec) {
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
