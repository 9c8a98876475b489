package dev.vigil.server;

import dev.vigil.provisioning.management.ManagementService;

import dev.vigil.provisioning.audit.AuditAnchors;
import dev.vigil.provisioning.audit.EventStore;

import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.gateways.SecretSeal;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.cluster.ChangeApplier;
import dev.vigil.provisioning.cluster.ChangeFeed;
import dev.vigil.provisioning.keys.DeviceKeyAlgorithms;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.Registry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Vigil node: the device endpoint (CoAPS: devices, and unknown keys for enrollment only) and
 * the management endpoint (CoAPS, operators only), over one registry.
 */
public final class VigilServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VigilServer.class);

    static {
        CryptoProvider.init();
    }

    private final Database database;
    private final AuditAnchors anchors;
    private final Registry registry;
    private final CoapServer devices;
    private final CoapServer management;
    private final DtlsServerEndpoint deviceEndpoint;
    private final DtlsServerEndpoint managementEndpoint;
    private final SessionTerminator sessions;
    /** Other nodes' changes (one registry, several nodes): made before any cache loads, started with the node. */
    private final ChangeFeed feed;
    private final DeviceConnections connections;
    private final ScheduledExecutorService sweeper;
    private final Metrics metrics = new Metrics();
    /** In the data directory: the key that seals OSCORE children's master secrets in the registry. */
    static final String OSCORE_KEY_FILE = "oscore-key";
    /** Group commit of telemetry, or null when VIGIL.TELEMETRY_GROUP_COMMIT is false. */
    private final GroupedIngest ingest;
    private final DeviceActivity activity;
    private final String metricsAddress;
    /** Sessions of unknown keys may only enroll: they live minutes, not a device's day. */
    private final Duration enrollmentLifetime;
    /** Where a clean stop saves the device endpoint's DTLS connections, and the next start loads them. */
    private final DtlsStateFile dtlsState;
    private final DeviceAdmission admission;
    /** This node's place in a DTLS cluster, or null for a single node. */
    private final ClusterSettings cluster;
    /** This node's links to the other nodes of its cluster, or null. */
    private final ClusterLinks clusterLinks;

    /** How much of the request gate a node runs: all of it in production; less only for benchmark baselines. */
    enum Gate { FULL, WITHOUT_TRUST, BYPASSED }

    private VigilServer(DataDir dir, Configuration config, Clock clock, Gate gate) throws IOException {
        KeyPair serverKey = PemFiles.readKeyPair(dir.serverKey());
        KeyPair auditKey = dir.secure();
        database = VigilConfig.database(config).open(dir.root(), System.getenv());
        try {
            anchors = new AuditAnchors(database, auditKey, dir.auditAnchor(), clock);
            DeviceKeyAlgorithms deviceKeys = VigilConfig.deviceKeyAlgorithms(config);
            registry = Registry.open(database, clock, anchors, VigilConfig.trustSettings(config), deviceKeys);
            feed = new ChangeFeed(database, new ChangeApplier(registry, this::cutSessions),
                    this::liveDeviceSessions, clock,
                    Duration.ofMillis(config.get(VigilConfig.CHANGES_RETENTION, TimeUnit.MILLISECONDS)));
            claimNodeKeys(serverKey, auditKey);
            Duration defaultLifetime = Duration.ofMillis(config.get(VigilConfig.SESSION_MAX_LIFETIME, TimeUnit.MILLISECONDS));
            enrollmentLifetime = Duration.ofMillis(
                    config.get(VigilConfig.ENROLLMENT_SESSION_LIFETIME, TimeUnit.MILLISECONDS));
            connections = new DeviceConnections(registry.devices(), registry.trust(), clock,
                    config.get(VigilConfig.MAX_ENROLLMENT_SESSIONS),
                    () -> registry.events().record("blockwise-refused", "unknown key", "a Block1 request of an unknown"
                            + " key was dropped unread"));
            // the admission cuts a retired key's sessions through the terminator built after the endpoints
            admission = new DeviceAdmission(registry, connections, this::cutSessions,
                    profile -> profile == null ? enrollmentLifetime : lifetime(profile, defaultLifetime), clock);
            // a body over the telemetry limit is refused (4.13 with that limit in Size1) before it is assembled
            Configuration deviceConfig = new Configuration(config);
            deviceConfig.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, config.get(VigilConfig.TELEMETRY_MAX_PAYLOAD));
            // OSCORE children's master secrets are sealed with a key beside the database, never in it
            // (and so are proxy children's PSKs)
            SecretSeal seal = SecretSeal.fromKeyFile(dir.root().resolve(OSCORE_KEY_FILE));
            registry.gateways().oscore().sealWith(seal);
            registry.gateways().psk().sealWith(seal);
            cluster = ClusterSettings.of(config, dir);
            deviceEndpoint = DtlsEndpoints.server(deviceConfig, "devices",
                    new InetSocketAddress(config.get(VigilConfig.COAPS_ADDRESS), config.get(VigilConfig.COAPS_PORT)),
                    serverKey, admission, admission::resumable, connections, new ProofFailures(admission::proofFailed),
                    gate == Gate.BYPASSED ? null : new OscoreServerContexts(registry.gateways().oscore()), cluster);
            deviceEndpoint.endpoint().addInterceptor(new OscoreRefusals(registry));
            clusterLinks = cluster == null ? null : new ClusterLinks(
                    (org.eclipse.californium.scandium.DtlsManagedClusterConnector) deviceEndpoint.connector(),
                    cluster.others().values());
            dtlsState = new DtlsStateFile(dir.root().resolve("dtls-state"),
                    SecretKeyFile.readOrCreate(dir.root().resolve("dtls-state.key")),
                    Duration.ofMillis(config.get(VigilConfig.DTLS_STATE_MAX_AGE, TimeUnit.MILLISECONDS)), clock,
                    deviceEndpoint.connectionIds());
            int restored = dtlsState.load(deviceEndpoint.connector());
            if (restored > 0) {
                LOG.info("event=dtls-state-loaded connections={}", restored);
            }
            deviceEndpoint.endpoint().addInterceptor(connections);
            deviceEndpoint.endpoint().addInterceptor(metrics.responseCounter());
            metricsAddress = config.get(VigilConfig.METRICS_ADDRESS);
            // operators send manifests in chunks of a few hundred KiB; devices keep the small default
            OperatorAdmission operators = new OperatorAdmission(registry);
            Configuration managementConfig = new Configuration(config);
            managementConfig.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 4 * 1024 * 1024);
            managementEndpoint = DtlsEndpoints.server(managementConfig, "management",
                    new InetSocketAddress(config.get(VigilConfig.MGMT_ADDRESS), config.get(VigilConfig.MGMT_PORT)),
                    serverKey,
                    operators, (keyId, created) -> operators.resumable(keyId)
                            && clock.millis() - created < defaultLifetime.toMillis(), null, null);
            ScheduledThreadPoolExecutor tasks = new ScheduledThreadPoolExecutor(1, r -> {
                Thread thread = new Thread(r, "vigil-sessions");
                thread.setDaemon(true);
                return thread;
            });
            // at close, a task still waiting its delay (a probe's timeout, a later sweep) is dropped, not awaited
            tasks.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            sweeper = tasks;
            sessions = new SessionTerminator(deviceEndpoint.connector(), managementEndpoint.connector(), sweeper);
            activity = new DeviceActivity(sessions);
            connections.dropWith(sessions::dropDeviceSession);
            connections.resumptionsFrom(deviceEndpoint.resumptions());
            sessions.resumedBy(connections::resumed);
            connections.probeWith(new SessionProbe(deviceEndpoint.endpoint()));
            connections.checkRelayWith(new OffGatewayCheck(registry, connections::liveAddress, clock));
            registry.trust().cutSessionsWith(sessions);
            registry.trust().restore();
            registry.events().persistTo(new EventStore(database, ThisNode.eventsKey(config, dir.root())));

            devices = new CoapServer(deviceConfig);
            devices.addEndpoint(deviceEndpoint.endpoint());
            ingest = config.get(VigilConfig.TELEMETRY_GROUP_COMMIT)
                    ? new GroupedIngest(registry.telemetry(), config.get(VigilConfig.TELEMETRY_QUEUE),
                            config.get(VigilConfig.TELEMETRY_ACCEPT_AFTER, TimeUnit.MILLISECONDS))
                    : null;
            TelemetryResource telemetry = new TelemetryResource(registry.devices(), registry.telemetry(),
                    registry.commands(), config.get(VigilConfig.TELEMETRY_MAX_PAYLOAD), ingest);
            if (gate != Gate.BYPASSED) {
                RequestGate requestGate = new RequestGate(devices.getRoot(), deviceConfig, registry,
                        gate == Gate.FULL ? registry.trust() : null, clock, metrics, activity);
                requestGate.deliverOscoreTo(new OscoreChildResource(registry, telemetry, clock));
                devices.setMessageDeliverer(requestGate);
            }
            devices.add(telemetry);
            devices.add(new GatewayResource(registry, telemetry, new CommandDelivery(registry, clock)));
            devices.add(new EnrollResource(registry, new AddressRateLimiter(config.get(VigilConfig.ENROLL_RATE),
                    config.get(VigilConfig.ENROLL_BURST), 10_000)));
            devices.add(new KeyResource(registry));
            devices.add(new CommandResource(registry, clock));
            devices.add(new FirmwareResource(registry, clock));

            management = new CoapServer(managementConfig);
            management.addEndpoint(managementEndpoint.endpoint());
            management.add(new ManagementResource(new ManagementService(registry, sessions, activity, clock),
                    registry.operators()));

            long every = config.get(VigilConfig.SESSION_SWEEP_INTERVAL, TimeUnit.MILLISECONDS);
            sweeper.scheduleWithFixedDelay(() -> sweep(clock, defaultLifetime), every, every, TimeUnit.MILLISECONDS);
            sweeper.scheduleWithFixedDelay(this::saveEvents, 1, 1, TimeUnit.SECONDS);
            long trustEvery = config.get(VigilConfig.TRUST_SAVE_INTERVAL, TimeUnit.MILLISECONDS);
            sweeper.scheduleWithFixedDelay(this::saveTrust, trustEvery, trustEvery, TimeUnit.MILLISECONDS);
            anchors.anchor();
            long anchorEvery = config.get(VigilConfig.AUDIT_ANCHOR_INTERVAL, TimeUnit.MILLISECONDS);
            sweeper.scheduleWithFixedDelay(this::anchor, anchorEvery, anchorEvery, TimeUnit.MILLISECONDS);
        } catch (RuntimeException | IOException e) {
            database.close();
            throw e;
        }
    }

    /**
     * Drops the loaded sessions of principals no longer in good standing (revoked, suspended, decommissioned,
     * quarantined while the node was down), at once after the device endpoint starts (a request arriving before
     * that is refused by the request gate, which checks the registry on every request). Then, in a cluster, the
     * links to the other nodes.
     */
    private void afterStart() {
        try {
            deviceEndpoint.connector().startTerminateConnectionsForPrincipal(
                    (org.eclipse.californium.elements.util.Filter<java.security.Principal>) p -> p != null
                            && !admission.standsAfterRestart(p.getName()), true).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("dropping the sessions of principals revoked while stopped failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dropping sessions of revoked principals", e);
        }
        if (clusterLinks != null) {
            clusterLinks.start(sweeper);
        }
    }

    private void sweep(Clock clock, Duration defaultLifetime) {
        try {
            long now = clock.millis();
            sessions.sweep(now, keyId -> registry.devices().findByKeyId(keyId)
                    .map(device -> lifetime(device.profile(), defaultLifetime)).orElse(enrollmentLifetime).toMillis());
            connections.forgetEnrolled();
            registry.commands().expire();
            registry.policy().evictIdle(now);
            registry.events().flush();
        } catch (RuntimeException e) {
            LOG.error("session sweep failed", e);
        }
    }

    /** The server and audit keys can never be a device's or an operator's. */
    private void claimNodeKeys(KeyPair serverKey, KeyPair auditKey) {
        try {
            registry.claimNodeKeys(serverKey.getPublic(), auditKey.getPublic());
        } catch (dev.vigil.provisioning.Refusal e) {
            LOG.warn("this node's own key is registered to another principal: {}", e.getMessage());
        }
    }

    /** At a clean stop: the device endpoint's connections, for the next start on this data directory. */
    private void saveDtlsState() {
        try {
            DtlsStateFile.Saved saved = dtlsState.save(deviceEndpoint.connector());
            LOG.info("event=dtls-state-saved connections={} unwritable={}", saved.connections(), saved.unwritable());
        } catch (IOException | RuntimeException e) {
            LOG.error("saving the DTLS state failed; devices will run a full handshake after the restart", e);
        }
    }

    private void saveEvents() {
        try {
            registry.events().save();
        } catch (RuntimeException e) {
            LOG.error("saving security events failed", e);
        }
    }

    private void saveTrust() {
        try {
            registry.trust().save();
        } catch (RuntimeException e) {
            LOG.error("saving trust state failed", e);
        }
    }

    private void anchor() {
        try {
            anchors.anchor();
        } catch (RuntimeException e) {
            LOG.error("signing the audit anchor failed", e);
        }
    }

    private int liveDeviceSessions() {
        return sessions.liveDeviceSessions();
    }

    private void cutSessions(java.util.Collection<String> keyIds) {
        sessions.terminate(keyIds);
    }

    /** A profile's session lifetime, capped by {@code VIGIL.SESSION_MAX_LIFETIME}. */
    private Duration lifetime(String profile, Duration cap) {
        Duration own = registry.policy().sessionMaxLifetime(profile).orElse(cap);
        return own.compareTo(cap) < 0 ? own : cap;
    }

    /**
     * Starts a node on an initialised data directory.
     *
     * @param port device port, or null for the configured one (0 = any free port)
     * @param managementPort management port, or null for the configured one
     */
    public static VigilServer start(DataDir dir, Integer port, Integer managementPort) throws IOException {
        Configuration config = VigilConfig.load(dir);
        if (port != null) {
            config.set(VigilConfig.COAPS_PORT, port).setTransient(VigilConfig.COAPS_PORT);
        }
        if (managementPort != null) {
            config.set(VigilConfig.MGMT_PORT, managementPort).setTransient(VigilConfig.MGMT_PORT);
        }
        return start(dir, config, Clock.systemUTC());
    }

    /** Starts a node with an explicit configuration and clock (tests). */
    public static VigilServer start(DataDir dir, Configuration config, Clock clock) throws IOException {
        return start(dir, config, clock, Gate.FULL);
    }

    /**
     * The same node with Californium's plain message deliverer instead of the request gate: no
     * lifecycle standing, no policy. Only the gate benchmark's baseline uses it; never production.
     */
    static VigilServer startUngated(DataDir dir, Configuration config, Clock clock) throws IOException {
        return start(dir, config, clock, Gate.BYPASSED);
    }

    /**
     * The same node whose gate does not consult or feed the trust engine (tier from the lifecycle only). Only
     * the gate benchmark's trust-off baseline uses it; never production.
     */
    static VigilServer startWithoutTrust(DataDir dir, Configuration config, Clock clock) throws IOException {
        return start(dir, config, clock, Gate.WITHOUT_TRUST);
    }

    private static VigilServer start(DataDir dir, Configuration config, Clock clock, Gate gate) throws IOException {
        VigilServer server = new VigilServer(dir, config, clock, gate);
        try {
            server.devices.start();
            server.afterStart();
            server.management.start();
            server.feed.start(ThisNode.self(config, server.deviceAddress(), clock));
            server.serveMetrics();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Metrics on VIGIL.METRICS_ADDRESS; a port in use is a warning, not a reason to leave devices unserved. */
    private void serveMetrics() {
        metrics.watch(deviceEndpoint.verifier()::fullHandshakes, deviceEndpoint.resumptions()::resumed,
                sessions::deviceConnections, connections::unknownKeySessions, registry.telemetry()::storedSinceStart,
                registry.events()::totalsByType, registry.trust()::tierCounts);
        if (metricsAddress.isBlank() || metricsAddress.equals("off")) {
            return;
        }
        try {
            metrics.serve(metricsAddress);
            LOG.info("event=metrics url=http://{}:{}/metrics", metricsAddress.substring(0, metricsAddress.lastIndexOf(':')),
                    metrics.port());
        } catch (java.io.UncheckedIOException e) {
            LOG.warn("event=metrics-not-served address={} reason=\"{}\"", metricsAddress, e.getCause().getMessage());
        }
    }

    /** The sequence number of the newest registry change (change feed) this node has applied. */
    public long changesApplied() {
        return feed.applied();
    }

    /** The port metrics are served on, or -1 if none. */
    public int metricsPort() {
        return metrics.port();
    }

    public Registry registry() {
        return registry;
    }

    public InetSocketAddress deviceAddress() {
        return deviceEndpoint.endpoint().getAddress();
    }

    public InetSocketAddress managementAddress() {
        return managementEndpoint.endpoint().getAddress();
    }

    /** Telemetry groups committed since start, or -1 with group commit off (benchmarks). */
    long telemetryGroups() {
        return ingest == null ? -1 : ingest.groups();
    }

    /** Full DTLS handshakes the device endpoint has verified since start (resumptions excluded). */
    public long fullDeviceHandshakes() {
        return deviceEndpoint.verifier().fullHandshakes();
    }

    /** Connections the device endpoint holds in any state (tests of what a flood leaves behind). */
    int deviceConnections() {
        return sessions.deviceConnections();
    }

    /** Sessions of unknown keys (enrollment only) counted against {@code VIGIL.MAX_ENROLLMENT_SESSIONS}. */
    int enrollmentSessions() {
        return connections.unknownKeySessions();
    }

    /** The URI operators' CLI uses to reach this node's management endpoint. */
    public URI managementUri() {
        InetSocketAddress address = managementAddress();
        String host = address.getAddress().getHostAddress();
        return URI.create("coaps://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort());
    }

    @Override
    public void close() {
        metrics.close();
        // not shutdownNow: an interrupt in the middle of a save makes H2 close its file (ClosedByInterruptException),
        // and every later write of this close would fail with "the database has been closed"; tasks still waiting
        // their delay are dropped by the executor's shutdown policy, so only a running one is waited for
        sweeper.shutdown();
        try {
            sweeper.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ingest != null) {
            ingest.close(); // queued readings are stored and answered before the endpoint stops; new ones get 5.03
        }
        feed.close();
        devices.stop();
        saveDtlsState();
        devices.destroy();
        management.destroy();
        registry.trust().close();
        saveEvents();
        anchor();
        database.close();
    }
}
