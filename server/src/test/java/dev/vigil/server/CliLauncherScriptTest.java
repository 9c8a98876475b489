package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/vigil}: a CLI command's first run after a build writes a class-data sharing archive as it exits
 * (under a name of its own, renamed into place), later runs use it; {@code vigil server} runs without either;
 * the command's exit code passes through. {@code java} and {@code mvn} are stand-ins on the PATH that record
 * their arguments (the stand-in java writes the archive file it is asked to).
 */
class CliLauncherScriptTest {

    @TempDir
    Path tmp;
    private Path root;
    private Path jar;
    private Path calls;

    @BeforeEach
    void tree() throws IOException {
        root = tmp.resolve("repo");
        Path script = root.resolve("scripts/vigil");
        Files.createDirectories(script.getParent());
        Files.copy(Path.of("../scripts/vigil"), script);
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        jar = root.resolve("server/target/vigil.jar");
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "jar");
        for (String module : new String[] {"policy", "provisioning", "server"}) {
            Path source = root.resolve(module + "/src/main/java/A.java");
            Files.createDirectories(source.getParent());
            Files.writeString(source, "class A {}");
            Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(600)));
        }
        Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(600)));
        calls = tmp.resolve("calls");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        fake(bin.resolve("mvn"), "echo mvn >> '" + calls + "'");
        // records its arguments; writes the archive named by -XX:ArchiveClassesAtExit; exits with $VIGIL_TEST_EXIT
        fake(bin.resolve("java"), "echo \"java $*\" >> '" + calls + "'\n"
                + "for a in \"$@\"; do case \"$a\" in -XX:ArchiveClassesAtExit=*) echo archive > \"${a#*=}\";; esac; done\n"
                + "exit ${VIGIL_TEST_EXIT:-0}");
    }

    private static void fake(Path program, String body) throws IOException {
        Files.writeString(program, "#!/bin/sh\n" + body + "\n");
        program.toFile().setExecutable(true);
    }

    private int run(int exit, String... args) throws Exception {
        Files.deleteIfExists(calls);
        List<String> command = new java.util.ArrayList<>(List.of(root.resolve("scripts/vigil").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
        builder.environment().put("VIGIL_TEST_EXIT", Integer.toString(exit));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(output).isTrue();
        return process.exitValue();
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(calls);
    }

    @Test
    void the_first_cli_run_writes_the_archive_and_the_next_uses_it() throws Exception {
        Path archive = root.resolve("server/target/vigil-cli.jsa");
        assertThat(run(0, "device", "list")).isZero();
        assertThat(calls()).singleElement().asString().contains("-XX:ArchiveClassesAtExit=" + archive + ".")
                .contains("-XX:TieredStopAtLevel=1").endsWith("-jar " + jar + " device list");
        assertThat(archive).hasContent("archive");
        assertThat(run(0, "device", "list")).isZero();
        assertThat(calls()).singleElement().asString().contains("-XX:SharedArchiveFile=" + archive)
                .doesNotContain("ArchiveClassesAtExit");
        try (var left = Files.list(archive.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("vigil.jar", "vigil-cli.jsa");
        }
    }

    @Test
    void an_archive_older_than_the_jar_is_written_again() throws Exception {
        run(0, "device", "list");
        Files.setLastModifiedTime(root.resolve("server/target/vigil-cli.jsa"),
                FileTime.from(Instant.now().minusSeconds(60)));
        run(0, "device", "list");
        assertThat(calls()).singleElement().asString().contains("-XX:ArchiveClassesAtExit=");
    }

    @Test
    void the_server_runs_without_the_cli_options_and_exit_codes_pass_through() throws Exception {
        assertThat(run(0, "server", "--data", "d")).isZero();
        assertThat(calls()).containsExactly("java -jar " + jar + " server --data d");
        assertThat(run(3, "device", "list")).as("the archive-writing run").isEqualTo(3);
        assertThat(run(1, "device", "list")).as("a run with the archive").isEqualTo(1);
    }
}
