package dev.vigil.server;

import dev.vigil.policy.trust.TrustSettings;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.DatabaseSettings;
import dev.vigil.provisioning.keys.DeviceKeyAlgorithms;
import java.nio.file.Files;
import org.eclipse.californium.core.config.CoapConfig.MatcherMode;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.Configuration.ModuleDefinitionsProvider;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.config.DefinitionUtils;
import org.eclipse.californium.elements.config.DoubleDefinition;
import org.eclipse.californium.elements.config.TimeDefinition;
import org.eclipse.californium.elements.config.IntegerDefinition;
import org.eclipse.californium.elements.config.BooleanDefinition;
import org.eclipse.californium.elements.config.StringDefinition;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.config.DtlsConfig;

/**
 * Vigil's typed settings ({@code VIGIL.*}), declared the way Scandium's {@code DtlsConfig} is, and the
 * one place a {@link Configuration} is built: from the module definitions, never from
 * {@code Configuration.getStandard()} (which would write a file into the working directory).
 */
public final class VigilConfig {

    public static final String MODULE = "VIGIL.";

    public static final IntegerDefinition COAPS_PORT = new IntegerDefinition(DataDir.COAPS_PORT,
            "CoAPS (DTLS) port devices connect to. 0 picks a free port.", DataDir.DEFAULT_COAPS_PORT, 0);
    public static final StringDefinition COAPS_ADDRESS = new StringDefinition(MODULE + "COAPS_ADDRESS",
            "Address the device endpoint binds to.", "0.0.0.0");
    public static final IntegerDefinition MGMT_PORT = new IntegerDefinition(DataDir.MGMT_PORT,
            "Management endpoint port (operators only). 0 picks a free port.", DataDir.DEFAULT_MGMT_PORT, 0);
    public static final StringDefinition MGMT_ADDRESS = new StringDefinition(DataDir.MGMT_ADDRESS,
            "Address the management endpoint binds to.", DataDir.DEFAULT_MGMT_ADDRESS);
    public static final StringDefinition METRICS_ADDRESS = new StringDefinition(MODULE + "METRICS_ADDRESS",
            "host:port of the Prometheus metrics endpoint (/metrics, /-/healthy); 'off' serves none.",
            "127.0.0.1:9464");
    public static final IntegerDefinition TELEMETRY_MAX_PAYLOAD = new IntegerDefinition(
            MODULE + "TELEMETRY_MAX_PAYLOAD", "Largest telemetry payload accepted, in bytes (larger: 4.13).",
            4096, 16);
    public static final BooleanDefinition TELEMETRY_GROUP_COMMIT = new BooleanDefinition(
            MODULE + "TELEMETRY_GROUP_COMMIT", "Store telemetry from many devices in one transaction per group (one"
                    + " writer thread; each 2.04 after its group's commit). false: one transaction per pack.", true);
    public static final IntegerDefinition TELEMETRY_QUEUE = new IntegerDefinition(MODULE + "TELEMETRY_QUEUE",
            "Telemetry packs waiting for the group commit at most; past it, 5.03 with Max-Age 1.", 4096, 1);
    public static final TimeDefinition TELEMETRY_ACCEPT_AFTER = new TimeDefinition(MODULE + "TELEMETRY_ACCEPT_AFTER",
            "A CON telemetry request not yet committed after this long is acknowledged with an empty ACK and"
                    + " answered by a separate response; 0: always.", 500, TimeUnit.MILLISECONDS);

    public static final TimeDefinition SESSION_MAX_LIFETIME = new TimeDefinition(MODULE + "SESSION_MAX_LIFETIME",
            "Longest a DTLS session lives before the device must prove its key in a full handshake,"
                    + " unless its profile says otherwise.", 24, TimeUnit.HOURS);
    public static final TimeDefinition SESSION_SWEEP_INTERVAL = new TimeDefinition(MODULE + "SESSION_SWEEP_INTERVAL",
            "How often sessions past their lifetime are looked for and closed.", 10, TimeUnit.SECONDS);
    public static final TimeDefinition ENROLLMENT_SESSION_LIFETIME = new TimeDefinition(
            MODULE + "ENROLLMENT_SESSION_LIFETIME", "Longest a session of an unknown key (enrollment only) lives.",
            5, TimeUnit.MINUTES);
    public static final DoubleDefinition ENROLL_RATE = new DoubleDefinition(MODULE + "ENROLL_RATE",
            "Enrollment attempts per second allowed from one source address (burst: ENROLL_BURST).", 0.2);
    public static final IntegerDefinition ENROLL_BURST = new IntegerDefinition(MODULE + "ENROLL_BURST",
            "Enrollment attempts one source address may make at once.", 5, 1);

    public static final StringDefinition DEVICE_KEY_ALGORITHMS = new StringDefinition(MODULE + "DEVICE_KEY_ALGORITHMS",
            "Signature algorithms device keys may have, separated by commas: p256 (EC P-256), ed25519. A device key of"
                    + " another algorithm is refused at device add, import, enrollment, rotation and the handshake.",
            DeviceKeyAlgorithms.ALL.setting());

    public static final TimeDefinition AUDIT_ANCHOR_INTERVAL = new TimeDefinition(MODULE + "AUDIT_ANCHOR_INTERVAL",
            "How often the audit chain's head is signed with the audit key (also at start and at a clean stop):"
                    + " records newer than the last anchor are the only ones a database writer could change unnoticed.",
            1, TimeUnit.MINUTES);
    public static final IntegerDefinition MAX_ENROLLMENT_SESSIONS = new IntegerDefinition(
            MODULE + "MAX_ENROLLMENT_SESSIONS", "Most DTLS sessions of unknown keys (enrollment only) held at once;"
                    + " past it, unknown keys are refused at the handshake. Registered devices are never counted.",
            2000, 1);

    public static final TimeDefinition TRUST_SAVE_INTERVAL = new TimeDefinition(MODULE + "TRUST_SAVE_INTERVAL",
            "How often every device's trust baselines are saved (tier changes are saved at once, and all at a clean"
                    + " stop).", 5, TimeUnit.MINUTES);

    public static final IntegerDefinition TRUST_LIMITED_BELOW = new IntegerDefinition(MODULE + "TRUST_LIMITED_BELOW",
            "A TRUSTED device whose trust score falls below this becomes LIMITED (uplink only, no commands).", 70, 1);
    public static final IntegerDefinition TRUST_QUARANTINED_BELOW = new IntegerDefinition(
            MODULE + "TRUST_QUARANTINED_BELOW", "A device whose trust score falls below this becomes QUARANTINED"
                    + " (remediation only) until an operator releases it.", 30, 0);
    public static final IntegerDefinition TRUST_RECOVER_AT = new IntegerDefinition(MODULE + "TRUST_RECOVER_AT",
            "A LIMITED device whose score stays at or above this for TRUST_CLEAN_PERIOD is TRUSTED again.", 85, 1);
    public static final TimeDefinition TRUST_CLEAN_PERIOD = new TimeDefinition(MODULE + "TRUST_CLEAN_PERIOD",
            "How long a LIMITED device must behave before it is TRUSTED again by itself.", 1, TimeUnit.HOURS);
    public static final StringDefinition TRUST_WEIGHTS = new StringDefinition(MODULE + "TRUST_WEIGHTS",
            "Points each trust signal takes off the score at full strength, 0-100, as name=points pairs; absent"
                    + " signals keep their default. Names: rate, volume, cohortRate, schedule, newResource, denials,"
                    + " scanning, handshakeFailures, suspendedKey, addressChurn, firmware, offGateway, gatewayExcess.", "");

    public static final IntegerDefinition NODE_ID = new IntegerDefinition(MODULE + "NODE_ID",
            "This node's id in a DTLS cluster, 0-255: the first byte of every Connection ID it issues, so that any"
                    + " node can forward a record to the node holding its session. Unique in the cluster.", 0, 0);
    public static final StringDefinition CLUSTER_NODES = new StringDefinition(MODULE + "CLUSTER_NODES",
            "The DTLS cluster's nodes as id=host:port of their internal cluster ports, separated by commas (this"
                    + " node's own entry may be listed; it must then equal CLUSTER_ADDRESS). Empty: a single node.", "");
    public static final StringDefinition CLUSTER_ADDRESS = new StringDefinition(MODULE + "CLUSTER_ADDRESS",
            "host:port of this node's internal cluster port; must be a loopback or private address.", "127.0.0.1:5784");
    public static final StringDefinition CLUSTER_KEY_FILE = new StringDefinition(MODULE + "CLUSTER_KEY_FILE",
            "File (relative to the data directory) holding the 32-byte key the cluster's nodes share, mode 0600;"
                    + " the nodes' links and the MAC of forwarded records are keyed by it.", "cluster.key");
    public static final TimeDefinition DTLS_STATE_MAX_AGE = new TimeDefinition(MODULE + "DTLS_STATE_MAX_AGE",
            "A clean stop saves the device endpoint's DTLS connections (encrypted with dtls-state.key) and the next"
                    + " start loads them, unless they were saved longer ago than this.", 24, TimeUnit.HOURS);

    // Several nodes on one registry (README "Running several nodes").
    public static final StringDefinition DB_URL = new StringDefinition(DatabaseSettings.URL_KEY,
            "JDBC URL of a shared registry (jdbc:postgresql://host:port/db) for several nodes; empty: the embedded H2"
                    + " database of the data directory. Never the password: VIGIL_DB_PASSWORD or DB_PASSWORD_FILE.", "");
    public static final StringDefinition DB_USER = new StringDefinition(DatabaseSettings.USER_KEY,
            "User name for DB_URL.", DatabaseSettings.DEFAULT_USER);
    public static final StringDefinition DB_PASSWORD_FILE = new StringDefinition(DatabaseSettings.PASSWORD_FILE_KEY,
            "File holding the password for DB_URL (used when the environment has no VIGIL_DB_PASSWORD).", "");
    public static final StringDefinition NODE_NAME = new StringDefinition(MODULE + "NODE_NAME",
            "This node's name in vigil status; empty: host name and device port.", "");
    public static final TimeDefinition CHANGES_RETENTION = new TimeDefinition(MODULE + "CHANGES_RETENTION",
            "Changes of the shared registry's change feed are pruned once every node seen within this time has"
                    + " applied them and they are older than this; a node away longer forgets every cache when it"
                    + " comes back.", 24, TimeUnit.HOURS);

    public static final ModuleDefinitionsProvider DEFINITIONS = new ModuleDefinitionsProvider() {
        @Override
        public String getModule() {
            return MODULE;
        }

        @Override
        public void applyDefinitions(Configuration config) {
            config.set(COAPS_PORT, DataDir.DEFAULT_COAPS_PORT);
            config.set(COAPS_ADDRESS, "0.0.0.0");
            config.set(MGMT_PORT, DataDir.DEFAULT_MGMT_PORT);
            config.set(MGMT_ADDRESS, DataDir.DEFAULT_MGMT_ADDRESS);
            config.set(METRICS_ADDRESS, "127.0.0.1:9464");
            config.set(TELEMETRY_MAX_PAYLOAD, 4096);
            config.set(TELEMETRY_GROUP_COMMIT, true);
            config.set(TELEMETRY_QUEUE, 4096);
            config.set(TELEMETRY_ACCEPT_AFTER, 500, TimeUnit.MILLISECONDS);
            config.set(SESSION_MAX_LIFETIME, 24, TimeUnit.HOURS);
            config.set(SESSION_SWEEP_INTERVAL, 10, TimeUnit.SECONDS);
            config.set(ENROLLMENT_SESSION_LIFETIME, 5, TimeUnit.MINUTES);
            config.set(ENROLL_RATE, 0.2);
            config.set(ENROLL_BURST, 5);
            config.set(DEVICE_KEY_ALGORITHMS, DeviceKeyAlgorithms.ALL.setting());
            config.set(AUDIT_ANCHOR_INTERVAL, 1, TimeUnit.MINUTES);
            config.set(MAX_ENROLLMENT_SESSIONS, 2000);
            config.set(TRUST_SAVE_INTERVAL, 5, TimeUnit.MINUTES);
            config.set(TRUST_LIMITED_BELOW, 70);
            config.set(TRUST_QUARANTINED_BELOW, 30);
            config.set(TRUST_RECOVER_AT, 85);
            config.set(TRUST_CLEAN_PERIOD, 1, TimeUnit.HOURS);
            config.set(TRUST_WEIGHTS, "");
            config.set(NODE_ID, 0);
            config.set(CLUSTER_NODES, "");
            config.set(CLUSTER_ADDRESS, "127.0.0.1:5784");
            config.set(CLUSTER_KEY_FILE, "cluster.key");
            config.set(DTLS_STATE_MAX_AGE, 24, TimeUnit.HOURS);
            config.set(DB_URL, "");
            config.set(DB_USER, DatabaseSettings.DEFAULT_USER);
            config.set(DB_PASSWORD_FILE, "");
            config.set(NODE_NAME, "");
            config.set(CHANGES_RETENTION, 24, TimeUnit.HOURS);
            DefinitionUtils.verify(VigilConfig.class, config);
        }
    };

    private VigilConfig() {
    }

    /**
     * Vigil's defaults over Californium's: RFC 7925 cipher suites, Connection ID, principal-based
     * response matching. The settings file may change these; {@link DtlsEndpoints} then pins what
     * zero trust needs (RPK only, client authentication NEEDED) whatever the file says.
     */
    public static Configuration defaults() {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS, DEFINITIONS);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        // 4 bytes: 4.3 billion ids, collisions retried by the generator, room for a node byte in a cluster;
        // every record a device sends carries it, so each byte is a byte per reading (scripts/bench agent)
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 4);
        config.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST, true);
        config.set(CoapConfig.RESPONSE_MATCHING, MatcherMode.PRINCIPAL);
        return config;
    }

    /**
     * The trust engine's settings from {@code VIGIL.TRUST_*}; an invalid combination is an
     * IllegalArgumentException naming it.
     */
    public static TrustSettings trustSettings(Configuration config) {
        TrustSettings.Weights w = TrustSettings.Weights.DEFAULTS;
        java.util.Map<String, Integer> weights = new java.util.LinkedHashMap<>();
        for (String pair : config.get(TRUST_WEIGHTS).split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] parts = pair.split("=", 2);
            try {
                weights.put(parts[0].strip(), Integer.parseInt(parts.length == 2 ? parts[1].strip() : ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(TRUST_WEIGHTS.getKey() + ": '" + pair.strip()
                        + "' is not name=points");
            }
        }
        java.util.Set<String> known = java.util.Set.of("rate", "volume", "cohortRate", "schedule", "newResource",
                "denials", "scanning", "handshakeFailures", "suspendedKey", "addressChurn", "firmware", "offGateway", "gatewayExcess");
        for (String name : weights.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException(TRUST_WEIGHTS.getKey() + ": no trust signal named '" + name
                        + "' (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
        w = new TrustSettings.Weights(weights.getOrDefault("rate", w.rate()), weights.getOrDefault("volume", w.volume()),
                weights.getOrDefault("cohortRate", w.cohortRate()), weights.getOrDefault("schedule", w.schedule()),
                weights.getOrDefault("newResource", w.newResource()), weights.getOrDefault("denials", w.denials()),
                weights.getOrDefault("scanning", w.scanning()),
                weights.getOrDefault("handshakeFailures", w.handshakeFailures()),
                weights.getOrDefault("suspendedKey", w.suspendedKey()),
                weights.getOrDefault("addressChurn", w.addressChurn()), weights.getOrDefault("firmware", w.firmware()),
                weights.getOrDefault("offGateway", w.offGateway()), weights.getOrDefault("gatewayExcess", w.gatewayExcess()));
        return TrustSettings.defaults().withWeights(w).withTiers(config.get(TRUST_LIMITED_BELOW),
                config.get(TRUST_QUARANTINED_BELOW), config.get(TRUST_RECOVER_AT),
                java.time.Duration.ofMillis(config.get(TRUST_CLEAN_PERIOD, TimeUnit.MILLISECONDS)));
    }

    /**
     * The device key algorithms of {@code VIGIL.DEVICE_KEY_ALGORITHMS}; an unknown name or an empty list is an
     * IllegalArgumentException naming the setting.
     */
    public static DeviceKeyAlgorithms deviceKeyAlgorithms(Configuration config) {
        try {
            return DeviceKeyAlgorithms.parse(config.get(DEVICE_KEY_ALGORITHMS));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(DEVICE_KEY_ALGORITHMS.getKey() + ": " + e.getMessage());
        }
    }

    /** Where the registry is: the data directory's embedded database, or {@link #DB_URL}. */
    public static DatabaseSettings database(Configuration config) {
        return new DatabaseSettings(config.get(DB_URL), config.get(DB_USER), config.get(DB_PASSWORD_FILE));
    }

    /** The defaults, then the data directory's {@code vigil.properties} if it has one. */
    public static Configuration load(DataDir dir) {
        Configuration config = defaults();
        if (Files.exists(dir.config())) {
            config.load(dir.config().toFile());
        }
        return config;
    }
}
