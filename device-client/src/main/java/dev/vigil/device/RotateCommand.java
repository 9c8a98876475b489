package dev.vigil.device;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vigil-device rotate}: a new device key, never locked out even if interrupted. */
@Command(name = "rotate", description = "Replace the device key without ever being locked out.")
final class RotateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions options;

    @Override
    public Integer call() throws IOException {
        KeyRotator.Result result = options.rotator().rotate();
        if (result == KeyRotator.Result.ROTATED) {
            spec.commandLine().getOut().println("rotated: new key "
                    + DeviceKeys.keyId(DeviceKeys.load(options.state).getPublic()));
            return Main.OK;
        }
        if (result == KeyRotator.Result.NO_ANSWER) {
            spec.commandLine().getErr().println("vigil-device rotate: no answer from " + options.server
                    + "; run rotate again to finish");
            return Main.NO_ANSWER;
        }
        spec.commandLine().getErr().println("vigil-device rotate: refused by the server; the current key stays in use");
        return Main.REFUSED;
    }
}
