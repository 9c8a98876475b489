package dev.vigil.device;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options every command that talks to the server shares: state, server, pinned key, timeout. */
final class ServerOptions {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--state", required = true, paramLabel = "DIR", description = "Device state directory.")
    Path state;

    @Option(names = "--server", required = true, paramLabel = "URI", description = "e.g. coaps://host:5684")
    URI server;

    @Option(names = "--server-key", paramLabel = "FILE",
            description = "Server public key to pin (default: the one enrollment kept in the state directory).")
    Path serverKey;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "How long to wait for an answer (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    URI server() {
        if (!"coaps".equals(server.getScheme()) || server.getHost() == null) {
            throw new ParameterException(spec.commandLine(), "--server must be coaps://host:port, not " + server);
        }
        return server;
    }

    /** The file of the server key to pin: the option's, else the one enrollment kept. */
    Path serverKeyFile() throws IOException {
        Path file = serverKey != null ? serverKey : state.resolve(Enrollment.SERVER_KEY_FILE);
        if (!Files.exists(file)) {
            throw new IOException("no server key: give --server-key FILE (nothing pinned in " + state + " yet)");
        }
        return file;
    }

    PublicKey pinnedServerKey() throws IOException {
        return DeviceKeys.readPublicKey(serverKeyFile());
    }

    long timeoutMillis() {
        return timeoutSeconds * 1000L;
    }

    DeviceClient client(KeyPair key) throws IOException {
        return new DeviceClient(server(), key, pinnedServerKey()).timeout(timeoutMillis());
    }

    KeyRotator rotator() throws IOException {
        return new KeyRotator(state, server(), pinnedServerKey(), timeoutMillis());
    }
}
