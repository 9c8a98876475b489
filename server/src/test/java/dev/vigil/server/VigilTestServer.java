package dev.vigil.server;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.provisioning.cli.ManagementEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.californium.elements.config.Configuration;
import java.util.stream.Stream;

/**
 * A real Vigil node for tests: a fresh data directory in a temp dir, DTLS endpoints on 127.0.0.1
 * with free ports, and an admin session on its management endpoint.
 */
public final class VigilTestServer implements AutoCloseable {

    private final Path root;
    private final DataDir dir;
    private final Configuration config;
    private final Clock clock;
    private VigilServer server;
    private ManagementClient admin;

    private VigilTestServer(Path root, Consumer<Configuration> settings) throws IOException {
        this(root, DataDir.init(root.resolve("data")), settings, Clock.systemUTC());
    }

    private VigilTestServer(Path root, DataDir dir, Consumer<Configuration> settings) throws IOException {
        this(root, dir, settings, Clock.systemUTC());
    }

    private VigilTestServer(Path root, DataDir dir, Consumer<Configuration> settings, Clock clock) throws IOException {
        this.root = root;
        this.dir = dir;
        this.clock = clock;
        this.config = VigilConfig.load(dir);
        config.set(VigilConfig.COAPS_PORT, 0);
        config.set(VigilConfig.COAPS_ADDRESS, "127.0.0.1");
        config.set(VigilConfig.MGMT_PORT, 0);
        config.set(VigilConfig.METRICS_ADDRESS, "127.0.0.1:0");
        config.set(VigilConfig.SESSION_SWEEP_INTERVAL, 200, TimeUnit.MILLISECONDS);
        settings.accept(config);
        this.server = VigilServer.start(dir, config, clock);
    }

    /** A node on a clock the test moves (simulated time for the trust engine and the policy's rates). */
    public static VigilTestServer start(Clock clock, Consumer<Configuration> settings) {
        try {
            Path root = Files.createTempDirectory("vigil-test");
            return new VigilTestServer(root, DataDir.init(root.resolve("data")), settings, clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A node on a data directory the test made in {@code root} (e.g. one of several nodes sharing a registry, made
     * by {@code DataDir.init} with a database URL); {@link #close()} deletes {@code root}.
     */
    public static VigilTestServer startOn(Path root, DataDir dir, Consumer<Configuration> settings) throws IOException {
        return new VigilTestServer(root, dir, settings);
    }

    public static VigilTestServer start() {
        return start(config -> { });
    }

    /** A node whose configuration {@code settings} may change first (e.g. a short session lifetime). */
    public static VigilTestServer start(Consumer<Configuration> settings) {
        try {
            return new VigilTestServer(Files.createTempDirectory("vigil-test"), settings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A node on the data directory {@code root/data} made earlier (e.g. one a killed server left behind);
     * {@link #close()} deletes {@code root}.
     */
    public static VigilTestServer reopen(Path root) throws IOException {
        DataDir dir = new DataDir(root.resolve("data"));
        if (!dir.isInitialised()) {
            throw new IOException(dir.root() + " is not an initialised data directory");
        }
        return new VigilTestServer(root, dir, config -> { });
    }

    /**
     * A node on the data directory {@code root/data} made earlier (e.g. with another node's server key copied
     * in, for a cluster), after {@code settings} changed its configuration; {@link #close()} deletes {@code root}.
     */
    public static VigilTestServer reopen(Path root, Consumer<Configuration> settings) throws IOException {
        return new VigilTestServer(root, new DataDir(root.resolve("data")), settings);
    }

    public VigilServer node() {
        return server;
    }

    /** Stops the node and starts it again on the same data directory (ports change). */
    public VigilTestServer restart() throws IOException {
        closeAdmin();
        server.close();
        server = VigilServer.start(dir, config, clock);
        return this;
    }

    /** Stops the node and starts it again on the same data directory after {@code settings} changed its configuration. */
    public VigilTestServer restart(Consumer<Configuration> settings) throws IOException {
        closeAdmin();
        server.close();
        settings.accept(config);
        server = VigilServer.start(dir, config, clock);
        return this;
    }

    /** Stops the node, runs {@code whileStopped} (e.g. an offline command on the data directory), starts it again. */
    public VigilTestServer restart(ThrowingRunnable whileStopped) throws Exception {
        closeAdmin();
        server.close();
        whileStopped.run();
        server = VigilServer.start(dir, config, clock);
        return this;
    }

    /** Something to do while the node is stopped. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    public DataDir dataDir() {
        return dir;
    }

    /** A scratch directory that is deleted with the server. */
    public Path scratch(String name) throws IOException {
        return Files.createDirectories(root.resolve(name));
    }

    public URI deviceUri() {
        InetSocketAddress address = server.deviceAddress();
        return URI.create("coaps://127.0.0.1:" + address.getPort());
    }

    public URI managementUri() {
        return server.managementUri();
    }

    public PublicKey serverPublicKey() {
        try {
            return PemFiles.readPublicKey(dir.serverPublicKey());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public KeyPair adminKey() {
        try {
            return PemFiles.readKeyPair(dir.adminKey());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a management operation as the admin operator made by init. */
    public JsonNode admin(String operation, ObjectNode args) throws ManagementException {
        if (admin == null) {
            admin = CoapsManagementClient.connect(new ManagementEndpoint(managementUri(), adminKey(), serverPublicKey()));
        }
        return admin.call(operation, args);
    }

    /** Registers a device through the management endpoint and returns its new key pair. */
    public KeyPair addDevice(String name, String profile) throws ManagementException {
        KeyPair key = PemFiles.generateP256();
        addDevice(name, key.getPublic(), profile);
        return key;
    }

    public void addDevice(String name, PublicKey key, String profile) throws ManagementException {
        admin("device.add", args().put("name", name).put("publicKey", PemFiles.publicKeyPem(key)).put("profile", profile));
    }

    /** The device's stored readings, oldest first, via {@code telemetry.tail}. */
    public JsonNode readings(String device) throws ManagementException {
        return admin("telemetry.tail", args().put("device", device).put("limit", 1000)).path("readings");
    }

    /** {@code vigil ARGS...} in this process against this node, as its admin operator. */
    public CliRun vigil(String... args) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
        all.addAll(java.util.List.of("--server", managementUri().toString(), "--operator-key",
                dataDir().adminKey().toString(), "--server-key", dataDir().serverPublicKey().toString()));
        return CliRun.vigil(all.toArray(String[]::new));
    }

    public static ObjectNode args() {
        return JsonNodeFactory.instance.objectNode();
    }

    private void closeAdmin() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }

    /** Stops the node and leaves its directory as it is (e.g. a template to copy); do not {@link #close()} it then. */
    public void stopKeepingData() {
        closeAdmin();
        server.close();
    }

    @Override
    public void close() throws IOException {
        closeAdmin();
        server.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
