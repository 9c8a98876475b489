package dev.vigil.provisioning.store;

import dev.vigil.provisioning.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The registry's database: an embedded H2 file under the data directory by default, migrated to the
 * newest schema version on open. Each unit of work runs in one transaction; with a crash point armed
 * ({@link CrashPoints}) a transaction named by what it does can halt the JVM just before or just after its commit.
 */
public final class Database implements AutoCloseable {

    /** A unit of work inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** H2's error code for a database file locked by another process. */
    private static final int H2_DATABASE_ALREADY_OPEN = 90020;

    /** The name of the transaction running on this thread, for its crash points (only while one is armed). */
    private static final ThreadLocal<String[]> CURRENT = new ThreadLocal<>();

    /** Connections a node's registry holds at most. */
    private static final int MAX_CONNECTIONS = 16;

    private final DataSource pool;
    private final Dialect dialect;
    private final String url;
    private final String user;
    private final String password;

    private Database(DataSource pool, Dialect dialect, String url, String user, String password) {
        this.pool = pool;
        this.dialect = dialect;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** Opens (creating if needed) the embedded database {@code vigil} in {@code dataDir}, readable by its owner only. */
    public static Database openEmbedded(Path dataDir) {
        // WRITE_DELAY=0: every commit reaches the file before the caller is answered. DB_CLOSE_ON_EXIT=FALSE: the
        // owner closes it (a server at SIGTERM saves trust state first; H2's own hook would race it closed)
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("vigil") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
        Database database;
        try {
            database = open(url, "vigil", "");
        } catch (RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_ALREADY_OPEN) {
                    throw new RegistryException("another process (a running server?) is using the database in "
                            + dataDir, e);
                }
            }
            throw e;
        }
        try {
            restrictFiles(dataDir);
        } catch (IOException e) {
            database.close();
            throw new UncheckedIOException("cannot make the database in " + dataDir + " private", e);
        }
        return database;
    }

    /** Makes the embedded database's files in {@code dataDir} 0600. */
    public static void restrictFiles(Path dataDir) throws IOException {
        for (String name : new String[] {"vigil.mv.db", "vigil.trace.db"}) {
            Path file = dataDir.resolve(name);
            if (Files.exists(file)) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
        }
    }

    /** Opens the database at a JDBC URL (H2 or PostgreSQL), migrated to the newest schema version. */
    public static Database open(String url, String user, String password) {
        Dialect dialect = Dialect.of(url);
        DataSource pool = dialect == Dialect.POSTGRESQL ? postgresql(url, user, password) : h2(url, user, password);
        try {
            migrate(pool, dialect);
        } catch (RuntimeException e) {
            dispose(pool);
            throw e;
        }
        return new Database(pool, dialect, url, user, password);
    }

    private static DataSource h2(String url, String user, String password) {
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, user, password);
        pool.setMaxConnections(MAX_CONNECTIONS);
        return pool;
    }

    /**
     * A pool that checks a connection idle for more than half a second with {@code Connection.isValid} before it
     * hands it out, and drops it if dead: after the database server restarted, the connections pooled before cost
     * no transaction a failure (H2's pool, used before for PostgreSQL too, handed each dead one out once). A
     * connection that breaks while in use is dropped, not pooled again. Waits at most 5 s for a connection.
     */
    private static DataSource postgresql(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("vigil-registry");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(MAX_CONNECTIONS);
        config.setMinimumIdle(0); // opened as needed, as before; idle ones close after 10 minutes
        config.setConnectionTimeout(5_000);
        config.setValidationTimeout(1_000);
        return new HikariDataSource(config);
    }

    private static void dispose(DataSource pool) {
        if (pool instanceof HikariDataSource hikari) {
            hikari.close();
        } else {
            ((JdbcConnectionPool) pool).dispose();
        }
    }

    private static void migrate(DataSource dataSource, Dialect dialect) {
        Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .locations(dialect.migrationLocations())
                .load()
                .migrate();
    }

    public Dialect dialect() {
        return dialect;
    }

    /**
     * A connection of its own, outside the pool, for a long-lived use such as a change-feed listener; the caller
     * closes it.
     */
    public Connection dedicatedConnection() throws SQLException {
        return java.sql.DriverManager.getConnection(url, user, password);
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    public <T> T inTransaction(Work<T> work) {
        if (CrashPoints.ARMED) {
            return inNamedTransaction(work);
        }
        return transaction(work, null);
    }

    private <T> T transaction(Work<T> work, String[] name) {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                if (name != null && name[0] != null) {
                    CrashPoints.reach("before-commit:" + name[0]);
                }
                connection.commit();
                if (name != null && name[0] != null) {
                    CrashPoints.reach("after-commit:" + name[0]);
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException lost) { // the connection broke: the cause is what the work met, not this
                    e.addSuppressed(lost);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new RegistryException("database error: " + e.getMessage(), e);
        }
    }

    /** A transaction with crash points around its commit; a transaction nested in it gets its own name. */
    private <T> T inNamedTransaction(Work<T> work) {
        String[] outer = CURRENT.get();
        String[] name = new String[1];
        CURRENT.set(name);
        try {
            return transaction(work, name);
        } finally {
            CURRENT.set(outer);
        }
    }

    /**
     * Names the transaction running on this thread after what it does (the action of its audit record, or
     * {@code telemetry}): its crash points are {@code before-commit:NAME} and {@code after-commit:NAME}
     * ({@link CrashPoints}). A later name replaces an earlier one. Does nothing unless a crash point is armed.
     */
    public static void nameTransaction(String name) {
        if (CrashPoints.ARMED) {
            String[] current = CURRENT.get();
            if (current != null) {
                current[0] = name;
            }
        }
    }

    @Override
    public void close() {
        dispose(pool);
    }
}
