package dev.vigil.device;

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
 * {@code scripts/vigil-device} builds its jar when it is missing or older than a source or pom (after a pull it
 * used to run the stale jar), and not otherwise. Run in a copy of the script's tree with {@code mvn} and
 * {@code java} replaced on the PATH by programs that record their calls.
 */
class LauncherScriptTest {

    @TempDir
    Path tmp;
    private Path root;
    private Path jar;
    private Path source;
    private Path calls;

    @BeforeEach
    void tree() throws IOException {
        root = tmp.resolve("repo");
        Path script = root.resolve("scripts/vigil-device");
        Files.createDirectories(script.getParent());
        Files.copy(Path.of("../scripts/vigil-device"), script);
        source = root.resolve("device-client/src/main/java/Main.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Main {}");
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.writeString(root.resolve("device-client/pom.xml"), "<project/>");
        jar = root.resolve("device-client/target/vigil-device.jar");
        calls = tmp.resolve("calls");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        // like Maven, it leaves a jar that exists alone (an up-to-date jar is not rewritten)
        fake(bin.resolve("mvn"), "echo mvn >> '" + calls + "'; mkdir -p '" + jar.getParent() + "'; [ -f '" + jar
                + "' ] || : > '" + jar + "'");
        fake(bin.resolve("java"), "echo java >> '" + calls + "'");
    }

    private static void fake(Path program, String body) throws IOException {
        Files.writeString(program, "#!/bin/sh\n" + body + "\n");
        program.toFile().setExecutable(true);
    }

    private List<String> run() throws Exception {
        Files.deleteIfExists(calls);
        ProcessBuilder builder = new ProcessBuilder(root.resolve("scripts/vigil-device").toString(), "--help")
                .redirectErrorStream(true);
        builder.environment().put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    private static void age(Path file, int secondsAgo) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(secondsAgo)));
    }

    @Test
    void a_missing_jar_is_built_then_run() throws Exception {
        assertThat(run()).containsExactly("mvn", "java");
    }

    @Test
    void a_jar_newer_than_its_sources_just_runs() throws Exception {
        run();
        age(source, 60);
        age(root.resolve("pom.xml"), 60);
        age(root.resolve("device-client/pom.xml"), 60);
        assertThat(run()).containsExactly("java");
    }

    @Test
    void a_source_or_a_pom_newer_than_the_jar_rebuilds_it_once() throws Exception {
        run();
        age(jar, 60);
        assertThat(run()).as("sources newer than the jar").containsExactly("mvn", "java");
        age(source, 120);
        age(root.resolve("device-client/pom.xml"), 120);
        age(jar, 60); // a pom changed after the jar; Maven may leave an up-to-date jar as it is: the script marks it
        assertThat(run()).as("pom newer than the jar").containsExactly("mvn", "java");
        assertThat(run()).as("checked: no second build").containsExactly("java");
    }
}
