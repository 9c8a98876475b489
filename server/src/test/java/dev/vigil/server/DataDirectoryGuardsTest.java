package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a data directory is protected by: it is 0700 and its database 0600 (a server narrows an older, wider one as
 * it starts), and a second server started on it while one runs stops with one line, not a database stack dump.
 */
class DataDirectoryGuardsTest {

    private VigilTestServer server;

    @BeforeEach
    void start() {
        server = VigilTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void a_server_makes_a_wider_data_directory_0700_and_its_database_0600_as_it_starts() throws Exception {
        Path root = server.dataDir().root();
        Path database = root.resolve("vigil.mv.db");
        assertThat(mode(root)).isEqualTo("rwx------");
        assertThat(mode(database)).isEqualTo("rw-------");

        server.restart(() -> { // as an older version, or a careless umask, left it
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(database, PosixFilePermissions.fromString("rw-r--r--"));
        });

        assertThat(mode(root)).isEqualTo("rwx------");
        assertThat(mode(database)).isEqualTo("rw-------");
        assertThat(mode(server.dataDir().serverKey())).isEqualTo("rw-------");
        assertThat(mode(server.dataDir().adminKey())).isEqualTo("rw-------");
    }

    @Test
    void a_second_server_on_the_same_data_directory_stops_with_one_line_and_the_first_runs_on() throws Exception {
        Path root = server.dataDir().root();
        Files.writeString(server.dataDir().managementUriFile(), server.managementUri() + "\n");
        List<String> command = new java.util.ArrayList<>(ServerProcess.java());
        command.addAll(List.of(Main.class.getName(), "server", "--data", root.toString(), "--port", "0",
                "--mgmt-port", "0"));
        Path out = server.scratch("second").resolve("out");
        Path err = out.resolveSibling("err");
        Process second = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!second.waitFor(3, TimeUnit.MINUTES)) { // a guard against a hang, not a measure of speed
            second.destroyForcibly();
            throw new AssertionError("a second server on " + root + " kept running");
        }

        assertThat(second.exitValue()).isEqualTo(1);
        assertThat(Files.readString(out, StandardCharsets.UTF_8)).isEmpty();
        assertThat(Files.readAllLines(err, StandardCharsets.UTF_8)).containsExactly("vigil server: another process"
                + " (a running server?) is using the database in " + root);
        // the first server runs on, its management endpoint still findable from the data directory
        assertThat(server.dataDir().managementUriFile()).exists();
        CliRun whoami = CliRun.vigil("whoami", "--data", root.toString());
        assertThat(whoami.exitCode()).as(whoami.err()).isZero();
        assertThat(whoami.out()).startsWith("admin (role admin,");
    }
}
