package dev.vigil.device;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vigil-device keygen}: the device's own key pair; prints its key id. */
@Command(name = "keygen", description = "Make the device key pair (EC P-256) in the state directory.")
final class KeygenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--state", required = true, paramLabel = "DIR", description = "Device state directory.")
    Path state;

    @Override
    public Integer call() throws IOException {
        KeyPair pair = DeviceKeys.generate(state);
        spec.commandLine().getOut().println(DeviceKeys.keyId(pair.getPublic()));
        return Main.OK;
    }
}
