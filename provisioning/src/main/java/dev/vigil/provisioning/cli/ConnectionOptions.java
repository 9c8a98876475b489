package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.store.BoundedFiles;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.keys.PemFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How a command finds the management endpoint. Explicit options win, then the environment
 * ({@code VIGIL_SERVER}, {@code VIGIL_KEY}, {@code VIGIL_SERVER_KEY}), then {@code --data DIR}, which
 * supplies all three from a local data directory.
 */
public final class ConnectionOptions {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Local data directory: takes the endpoint, "
            + "the admin key and the server key from it.")
    private Path data;

    @Option(names = "--server", paramLabel = "URI", description = "Management endpoint, e.g. coaps://host:5685.")
    private String server;

    /** Not {@code --key}: that names the subject's key in {@code device add} and {@code operator add}. */
    @Option(names = "--operator-key", paramLabel = "FILE", description = "Operator key file (PEM, private + public).")
    private Path key;

    @Option(names = "--server-key", paramLabel = "FILE", description = "The server's public key to pin (PEM).")
    private Path serverKey;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long to wait for the server's first"
            + " answer before giving up with exit 3 (default 2).")
    private Integer timeout;

    /** {@code --key} names the operator key on commands whose subject has no key of its own. */
    void operatorKey(Path file) {
        this.key = file;
    }

    /** Is a management endpoint named, by {@code --data}, {@code --server} or {@code VIGIL_SERVER}? */
    boolean namesEndpoint(Map<String, String> env) {
        return data != null || server != null || env.containsKey("VIGIL_SERVER");
    }

    /**
     * The local data directory of a stopped server: {@code --data DIR} given, no server named otherwise, and no
     * server running there (it writes {@code DIR/mgmt.uri} while it runs). Empty otherwise.
     */
    java.util.Optional<DataDir> stoppedServerData(Map<String, String> env) {
        if (data == null || server != null || env.containsKey("VIGIL_SERVER")) {
            return java.util.Optional.empty();
        }
        DataDir dir = new DataDir(data);
        return dir.isInitialised() && !Files.exists(dir.managementUriFile()) ? java.util.Optional.of(dir)
                : java.util.Optional.empty();
    }

    ManagementEndpoint resolve(Map<String, String> env) throws IOException {
        DataDir dir = data == null ? null : new DataDir(data);
        if (dir != null && !dir.isInitialised()) {
            throw usage("--data " + data + " is not an initialised Vigil data directory");
        }
        URI uri = server != null ? uri(server, "--server")
                : env.containsKey("VIGIL_SERVER") ? uri(env.get("VIGIL_SERVER"), "VIGIL_SERVER")
                : dir != null ? managementUri(dir) : null;
        Path keyFile = pick(key, env.get("VIGIL_KEY"), dir == null ? null : dir.adminKey());
        Path serverKeyFile = pick(serverKey, env.get("VIGIL_SERVER_KEY"), dir == null ? null : dir.serverPublicKey());
        if (uri == null || keyFile == null || serverKeyFile == null) {
            throw usage("no management endpoint: give --data DIR, or --server, --operator-key and --server-key");
        }
        if (!"coaps".equals(uri.getScheme()) || uri.getHost() == null) {
            throw usage("--server must be a coaps://host:port URI, not '" + uri + "'");
        }
        if (timeout != null && (timeout < 1 || timeout > 3600)) {
            throw usage("--timeout must be 1 to 3600 seconds, not " + timeout);
        }
        return new ManagementEndpoint(uri, PemFiles.readKeyPair(keyFile), PemFiles.readPublicKey(serverKeyFile),
                timeout == null ? ManagementEndpoint.DEFAULT_CONTACT_TIMEOUT : Duration.ofSeconds(timeout));
    }

    private static Path pick(Path option, String env, Path fromData) {
        return option != null ? option : env != null ? Path.of(env) : fromData;
    }

    private URI managementUri(DataDir dir) throws IOException {
        if (Files.exists(dir.managementUriFile())) {
            return uri(BoundedFiles.readText(dir.managementUriFile(), BoundedFiles.SMALL_FILE_LIMIT,
                    StandardCharsets.US_ASCII, "management URI file").trim(), dir.managementUriFile().toString());
        }
        Properties properties = dir.properties();
        return uri("coaps://" + properties.getProperty(DataDir.MGMT_ADDRESS, DataDir.DEFAULT_MGMT_ADDRESS)
                + ":" + properties.getProperty(DataDir.MGMT_PORT, String.valueOf(DataDir.DEFAULT_MGMT_PORT)),
                dir.config().toString());
    }

    private URI uri(String text, String source) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw usage(source + " is not a URI such as coaps://host:5685: '" + text + "'");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
