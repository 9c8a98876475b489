package dev.vigil.provisioning.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.testdb.PostgresServer;
import dev.vigil.provisioning.testdb.TestDatabases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil init --db-url}: the first node of a PostgreSQL registry, a further node, and what is refused. */
class InitSharedRegistryTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path dir;

    private String url;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void emptyRegistry() {
        url = TestDatabases.shared().createDatabase("init" + DATABASES.incrementAndGet());
    }

    private int vigil(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CliContext context = new CliContext(endpoint -> {
            throw new AssertionError("init runs locally");
        }, (data, port, mgmt) -> {
            throw new AssertionError("no server here");
        }, Map.of("VIGIL_DB_PASSWORD", PostgresServer.PASSWORD), new PrintWriter(out), new PrintWriter(err));
        return VigilCli.run(context, args);
    }

    @Test
    void a_further_node_copies_the_first_nodes_keys_and_makes_no_new_one() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertThat(vigil("init", "--data", a.toString(), "--db-url", url)).isZero();
        DataDir first = new DataDir(a);

        assertThat(vigil("init", "--data", b.toString(), "--db-url", url, "--server-key",
                first.serverKey().toString(), "--audit-key", first.auditKey().toString())).isZero();

        DataDir second = new DataDir(b);
        assertThat(Files.readString(second.serverPublicKey())).isEqualTo(Files.readString(first.serverPublicKey()));
        assertThat(Files.readString(second.serverKey())).isEqualTo(Files.readString(first.serverKey()));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(second.serverKey())))
                .isEqualTo("rw-------");
        assertThat(Files.exists(second.adminKey())).as("no second admin operator").isFalse();
        assertThat(second.properties().getProperty("VIGIL.DB_URL")).isEqualTo(url);
        assertThat(Files.readString(second.config())).doesNotContain(PostgresServer.PASSWORD);
    }

    @Test
    void a_second_first_node_on_an_initialised_registry_is_refused_with_one_line() {
        assertThat(vigil("init", "--data", dir.resolve("a").toString(), "--db-url", url)).isZero();

        assertThat(vigil("init", "--data", dir.resolve("b").toString(), "--db-url", url)).isNotZero();
        assertThat(err.toString().strip()).doesNotContain("\n").contains("initialised already", "--server-key");
        assertThat(new DataDir(dir.resolve("b")).isInitialised()).isFalse();
    }

    @Test
    void a_password_on_the_command_line_or_in_the_url_is_refused_with_one_line() {
        assertThat(vigil("init", "--data", dir.resolve("a").toString(), "--db-url", url, "--db-password", "x"))
                .isNotZero();
        assertThat(err.toString().strip()).doesNotContain("\n").contains("password on the command line is refused");

        assertThat(vigil("init", "--data", dir.resolve("a").toString(), "--db-url", url + "?password=x")).isNotZero();
        assertThat(err.toString().strip()).doesNotContain("\n").contains("must not hold the password");
        assertThat(Files.exists(dir.resolve("a"))).isFalse();
    }
}
