package dev.vigil.provisioning;

import dev.vigil.provisioning.audit.AuditLog;

import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.operators.OperatorRegistry;
import dev.vigil.provisioning.store.BoundedFiles;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.store.DatabaseSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Map;
import java.util.Properties;

/**
 * The layout of a Vigil data directory (DESIGN.md "Data"): the embedded database, the server key
 * pair, the first operator key, the audit key and the configuration file. The directory is 0700, the
 * database and private keys 0600.
 */
public record DataDir(Path root) {

    public static final String CONFIG_FILE = "vigil.properties";
    /** Configuration keys the CLI reads as well as the server. */
    public static final String COAPS_PORT = "VIGIL.COAPS_PORT";
    public static final String MGMT_ADDRESS = "VIGIL.MGMT_ADDRESS";
    public static final String MGMT_PORT = "VIGIL.MGMT_PORT";
    public static final int DEFAULT_COAPS_PORT = 5684;
    public static final int DEFAULT_MGMT_PORT = 5685;
    public static final String DEFAULT_MGMT_ADDRESS = "127.0.0.1";

    public Path serverKey() {
        return root.resolve("server-key.pem");
    }

    public Path serverPublicKey() {
        return root.resolve("server.pub.pem");
    }

    public Path adminKey() {
        return root.resolve("operator-admin.pem");
    }

    /** The key that signs the audit chain's anchors (0600); never stored in the database. */
    public Path auditKey() {
        return root.resolve("audit-key.pem");
    }

    /** The newest signed audit anchor, kept outside the database. */
    public Path auditAnchor() {
        return root.resolve("audit-anchor");
    }

    public Path config() {
        return root.resolve(CONFIG_FILE);
    }

    /** Written by a running server: the URI its management endpoint is bound to. */
    public Path managementUriFile() {
        return root.resolve("mgmt.uri");
    }

    /**
     * Makes the directory 0700 and the database 0600 if they are wider (data directories made before
     * this was the rule), and creates the audit key if there is none; returns the audit key pair.
     */
    public KeyPair secure() throws IOException {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        Database.restrictFiles(root);
        if (!Files.exists(auditKey())) {
            PemFiles.writeKeyPair(auditKey(), PemFiles.generateP256());
        }
        return PemFiles.readKeyPair(auditKey());
    }

    public boolean isInitialised() {
        return Files.exists(serverKey());
    }

    /** The configuration file's settings (empty if there is none). */
    public Properties properties() throws IOException {
        Properties properties = new Properties();
        if (Files.exists(config())) {
            properties.load(new java.io.StringReader(BoundedFiles.readText(config(), BoundedFiles.KEY_FILE_LIMIT,
                    StandardCharsets.ISO_8859_1, "settings file")));
        }
        return properties;
    }

    /**
     * Creates the database, the server key pair, the first admin operator key and a default
     * configuration in a directory that does not exist yet or is empty.
     */
    public static DataDir init(Path root) throws IOException {
        return init(root, DatabaseSettings.EMBEDDED, Map.of(), null);
    }

    /**
     * As {@link #init(Path)}, on the registry {@code database} names. The first node of a registry creates the
     * server key pair, the audit key and the first admin operator; a node joining a registry another node
     * initialised copies that node's server key pair and audit key from {@code joining} (the deployment's nodes
     * share them: devices pin one server key, one key signs the audit chain) and makes no operator.
     *
     * @param env where the database password may be ({@code VIGIL_DB_PASSWORD})
     * @param joining the first node's keys, or null for the first node
     */
    public static DataDir init(Path root, DatabaseSettings database, Map<String, String> env, NodeKeys joining)
            throws IOException {
        DataDir dir = new DataDir(root);
        if (dir.isInitialised()) {
            throw new IOException(root + " is already initialised (it holds server-key.pem)");
        }
        if (Files.isDirectory(root)) {
            try (var entries = Files.list(root)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(root + " is not empty; init needs a new or empty directory");
                }
            }
        }
        if (database.embedded() && joining != null) {
            throw new IllegalArgumentException("--server-key joins a shared registry: give its --db-url too");
        }
        KeyPair server = joining != null ? PemFiles.readKeyPair(joining.serverKey()) : PemFiles.generateP256();
        KeyPair audit = joining != null ? PemFiles.readKeyPair(joining.auditKey()) : PemFiles.generateP256();
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        KeyPair admin = null;
        try (Database db = database.open(root, env)) {
            boolean initialised = !new OperatorRegistry(db, new AuditLog(db)).list().isEmpty();
            if (joining == null && initialised) {
                throw new IllegalArgumentException("the registry at " + database.url() + " is initialised already:"
                        + " a further node copies the first node's keys (--server-key FILE --audit-key FILE)");
            }
            if (joining != null && !initialised) {
                throw new IllegalArgumentException("no node initialised the registry at " + database.url()
                        + " yet: initialise the first node without --server-key");
            }
            if (joining == null) {
                admin = PemFiles.generateP256();
                new OperatorRegistry(db, new AuditLog(db)).add("admin", admin.getPublic(), "admin",
                        Actor.system("vigil init"));
            }
        }
        if (admin != null) {
            PemFiles.writeKeyPair(dir.adminKey(), admin);
        }
        PemFiles.writeKeyPair(dir.auditKey(), audit);
        PemFiles.writePublicKey(dir.serverPublicKey(), server.getPublic());
        StringBuilder shared = new StringBuilder();
        if (!database.embedded()) {
            shared.append(DatabaseSettings.URL_KEY).append('=').append(database.url()).append('\n')
                    .append(DatabaseSettings.USER_KEY).append('=').append(database.user()).append('\n');
            if (!database.passwordFile().isEmpty()) {
                shared.append(DatabaseSettings.PASSWORD_FILE_KEY).append('=').append(database.passwordFile())
                        .append('\n');
            }
        }
        Files.writeString(dir.config(), """
                # Vigil configuration: VIGIL.* settings, and any COAP.*, DTLS.* or UDP.* setting of Californium.
                # Command-line options (--port, --mgmt-port) override these for one run.
                %s=%d
                %s=%s
                %s=%d
                %s""".formatted(COAPS_PORT, DEFAULT_COAPS_PORT, MGMT_ADDRESS, DEFAULT_MGMT_ADDRESS,
                MGMT_PORT, DEFAULT_MGMT_PORT, shared), StandardCharsets.ISO_8859_1);
        // Last: its presence marks the directory as initialised.
        PemFiles.writeKeyPair(dir.serverKey(), server);
        return dir;
    }

    /** The key files a further node of a deployment copies from the first: server key pair and audit key. */
    public record NodeKeys(Path serverKey, Path auditKey) {
    }
}
