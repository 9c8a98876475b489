package dev.vigil.provisioning.testdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real, throw-away PostgreSQL server from the Debian packages ({@code /usr/lib/postgresql/N/bin}): a new cluster
 * in a temp dir, password authentication, listening on 127.0.0.1 at a free port with its socket in the temp dir,
 * fsync on. It can be stopped and started again (same data, same port); {@link #close} stops it and deletes it.
 * PostgreSQL refuses to run as root, so as root its files belong to {@code postgres} and it runs as that user.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String USER = "vigil";
    public static final String PASSWORD = "vigil-test-password";

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path bin;
    private final Path dir;
    private final int port;

    private PostgresServer(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** Creates and starts a new cluster; fails (never skips) when PostgreSQL is not installed. */
    public static PostgresServer start() {
        Path bin = binaries();
        try {
            Path dir = Files.createTempDirectory("vigil-pg");
            PostgresServer server = new PostgresServer(bin, dir, freePort());
            Files.writeString(dir.resolve("pwfile"), PASSWORD + "\n", StandardCharsets.UTF_8);
            if (ROOT) {
                run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            }
            server.asOwner(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
                    "-U", USER, "--pwfile=" + dir.resolve("pwfile"), "--auth=scram-sha-256", "-E", "UTF8",
                    "--no-instructions"));
            server.startAgain();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The newest installed PostgreSQL's bin directory. */
    static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.isDirectory(root) ? Files.list(root) : Stream.empty()) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString()
                            .replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IllegalStateException("PostgreSQL is not installed (no"
                            + " /usr/lib/postgresql/*/bin/initdb): these tests need a real server; install the Debian"
                            + " package postgresql (apt-get install postgresql)"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the cluster (again, after {@link #stop}) and waits until it accepts connections. */
    public void startAgain() {
        asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200",
                "start"));
    }

    /** Stops the cluster (fast shutdown: open connections are cut). */
    public void stop() {
        asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                "stop"));
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of database {@code name} on this server. */
    public String url(String name) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    /** Creates a new empty database owned by {@link #USER}; returns its JDBC URL. */
    public String createDatabase(String name) {
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, PASSWORD);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
            return url(name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server at once (no shutdown checkpoint: its files are deleted next) and deletes it. */
    @Override
    public void close() {
        try {
            asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "-w", "stop"));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void asOwner(List<String> command) {
        List<String> full = new ArrayList<>();
        if (ROOT) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
