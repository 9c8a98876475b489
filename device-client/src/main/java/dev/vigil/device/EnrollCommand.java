package dev.vigil.device;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vigil-device enroll}: binds this device's key to a new device with an operator's token. */
@Command(name = "enroll", description = "Enroll this device's key with a one-time token from an operator.")
final class EnrollCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions options;

    @Option(names = "--token", required = true, paramLabel = "TOKEN", description = "From vigil token create.")
    String token;

    @Override
    public Integer call() throws IOException {
        DeviceClient.Outcome outcome = Enrollment.enroll(options.state, options.server(), options.serverKeyFile(),
                token, options.timeoutMillis());
        if (outcome.isSuccess()) {
            Enrollment.Result result = Enrollment.read(options.state);
            spec.commandLine().getOut().printf("enrolled as %s (profile %s, %s)%n", result.name(), result.profile(),
                    result.state());
            return Main.OK;
        }
        spec.commandLine().getErr().println("vigil-device enroll: " + (outcome.code() == ResponseCode.FORBIDDEN
                ? "refused: the token is spent, expired or wrong" : outcome.toString()));
        return Main.exitCode(outcome);
    }
}
