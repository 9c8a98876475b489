package dev.vigil.device;

import dev.vigil.device.oscore.OscoreChild;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vigil-device oscore-send}: one SenML CBOR reading batch from an OSCORE child (RFC 8613), through its
 * gateway over plain CoAP, protected end to end with the context {@code vigil device add --mode oscore} made.
 */
@Command(name = "oscore-send", description = "Send one SenML CBOR reading batch as an OSCORE child, through a gateway.")
final class OscoreSendCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--oscore-context", required = true, paramLabel = "FILE",
            description = "The child's OSCORE context (from vigil device add --oscore-out); FILE.seq beside it keeps"
                    + " the sender sequence number.")
    Path context;

    @Option(names = "--gateway", required = true, paramLabel = "URI", description = "e.g. coap://gateway:5683")
    URI gateway;

    @Option(names = "--value", required = true, paramLabel = "NAME=NUMBER",
            description = "A reading, e.g. temp=21.5; repeat for several.")
    List<String> values;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "How long to wait for the answer (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws IOException {
        Map<String, Double> readings = parse();
        if (!"coap".equals(gateway.getScheme()) || gateway.getHost() == null || gateway.getPort() < 0) {
            throw new ParameterException(spec.commandLine(), "--gateway must be coap://host:port, not " + gateway);
        }
        OscoreChild.Answer answer;
        try (OscoreChild child = new OscoreChild(context, gateway)) {
            answer = child.timeout(timeoutSeconds * 1000).post("/t", SenmlCbor.encode(readings));
        }
        if (answer.code() == null) {
            spec.commandLine().getErr().println("vigil-device oscore-send: no verified answer from the server");
            return Main.NO_ANSWER;
        }
        String code = answer.code().codeClass + "." + String.format("%02d", answer.code().codeDetail) + " "
                + answer.code().name();
        if (!answer.code().isSuccess()) {
            spec.commandLine().getErr().println("vigil-device oscore-send: " + code
                    + (answer.maxAge() == null ? "" : " (retry in " + answer.maxAge() + " s)"));
            return Main.REFUSED;
        }
        spec.commandLine().getOut().println("sent " + readings.size() + " reading(s): " + code);
        return Main.OK;
    }

    private Map<String, Double> parse() {
        return SendCommand.readings(values, spec);
    }
}
