package dev.vigil.provisioning.testdb;

import dev.vigil.provisioning.store.Database;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The registry database a test runs on: embedded H2 in the test's directory by default; with
 * {@code -Dvigil.test.database=postgresql} (the provisioning module's {@code postgresql} test run) a fresh
 * database on one real PostgreSQL server shared by the JVM's tests, the same one again for the same directory (a
 * test that reopens its registry sees what it wrote).
 */
public final class TestDatabases {

    private static final boolean POSTGRESQL = "postgresql".equals(System.getProperty("vigil.test.database"));
    private static final Map<Path, String> URLS = new HashMap<>();
    private static PostgresServer server;

    private TestDatabases() {
    }

    public static boolean postgresql() {
        return POSTGRESQL;
    }

    public static synchronized Database open(Path dir) {
        if (!POSTGRESQL) {
            return Database.openEmbedded(dir);
        }
        String url = URLS.computeIfAbsent(dir.toAbsolutePath(), d -> shared().createDatabase("t" + (URLS.size() + 1)));
        return Database.open(url, PostgresServer.USER, PostgresServer.PASSWORD);
    }

    /** The JVM's shared server, started on first use and stopped (and deleted) when the JVM exits. */
    public static synchronized PostgresServer shared() {
        if (server == null) {
            server = PostgresServer.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "postgres-stop"));
        }
        return server;
    }
}
