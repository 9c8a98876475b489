package dev.vigil.device;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code vigil-device keygen}: the device's own key pair; prints its key id. */
@Command(name = "keygen", description = "Make the device key pair (EC P-256, or Ed25519) in the state directory.")
final class KeygenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--state", required = true, paramLabel = "DIR", description = "Device state directory.")
    Path state;

    @Option(names = "--algorithm", paramLabel = "ALG", defaultValue = "p256", converter = AlgorithmName.class,
            description = "p256 (default; libcoap can use it too) or ed25519 (smaller handshakes; the server must"
                    + " allow it, VIGIL.DEVICE_KEY_ALGORITHMS). Rotations keep it.")
    KeyAlgorithm algorithm;

    @Override
    public Integer call() throws IOException {
        KeyPair pair = DeviceKeys.generate(state, algorithm);
        spec.commandLine().getOut().println(DeviceKeys.keyId(pair.getPublic()));
        return Main.OK;
    }

    /** {@code p256} or {@code ed25519}; anything else is a usage error of one line. */
    static final class AlgorithmName implements ITypeConverter<KeyAlgorithm> {
        @Override
        public KeyAlgorithm convert(String value) {
            try {
                return KeyAlgorithm.named(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
