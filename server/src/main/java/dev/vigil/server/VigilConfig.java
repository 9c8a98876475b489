package dev.vigil.server;

import dev.vigil.provisioning.DataDir;
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
    public static final IntegerDefinition TELEMETRY_MAX_PAYLOAD = new IntegerDefinition(
            MODULE + "TELEMETRY_MAX_PAYLOAD", "Largest telemetry payload accepted, in bytes (larger: 4.13).",
            4096, 16);

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
            config.set(TELEMETRY_MAX_PAYLOAD, 4096);
            config.set(SESSION_MAX_LIFETIME, 24, TimeUnit.HOURS);
            config.set(SESSION_SWEEP_INTERVAL, 10, TimeUnit.SECONDS);
            config.set(ENROLLMENT_SESSION_LIFETIME, 5, TimeUnit.MINUTES);
            config.set(ENROLL_RATE, 0.2);
            config.set(ENROLL_BURST, 5);
            config.set(AUDIT_ANCHOR_INTERVAL, 1, TimeUnit.MINUTES);
            config.set(MAX_ENROLLMENT_SESSIONS, 2000);
            config.set(TRUST_SAVE_INTERVAL, 5, TimeUnit.MINUTES);
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
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 6);
        config.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST, true);
        config.set(CoapConfig.RESPONSE_MATCHING, MatcherMode.PRINCIPAL);
        return config;
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
