package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.PemFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing acknowledged is lost: readings answered 2.04 survive a SIGKILL of the server process. */
class CrashDurabilityTest {

    private static final Pattern LISTENING = Pattern.compile("devices on coaps://[^ ]*:(\\d+),");

    @TempDir
    Path dir;

    /** Starts {@code vigil server} in its own JVM and returns it with its device port. */
    private static Process server(Path data, int[] port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "server", "--data", data.toString(), "--port", "0", "--mgmt-port", "0")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        Matcher m = LISTENING.matcher(line == null ? "" : line);
        assertThat(m.find()).as("server start line: %s", line).isTrue();
        port[0] = Integer.parseInt(m.group(1));
        return process;
    }

    @Test
    void readings_acknowledged_before_a_kill_9_are_all_there_after_restart() throws Exception {
        DataDir data = DataDir.init(dir.resolve("data"));
        int[] port = new int[1];
        Process first = server(data.root(), port);
        KeyPair key = PemFiles.generateP256();
        Path pub = dir.resolve("device.pub.pem");
        PemFiles.writePublicKey(pub, key.getPublic());
        try {
            CliRun add = CliRun.vigil("device", "add", "s1", "--key", pub.toString(), "--profile", "sensor",
                    "--data", data.root().toString());
            assertThat(add.exitCode()).as(add.err()).isZero();
            try (DeviceClient device = new DeviceClient(URI.create("coaps://127.0.0.1:" + port[0]), key,
                    PemFiles.readPublicKey(data.serverPublicKey())).timeout(5_000)) {
                for (int i = 0; i < 8; i++) {
                    assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("n", (double) i))).code())
                            .isEqualTo(ResponseCode.CHANGED);
                }
            }
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close of the database
            first.waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(data.managementUriFile());

        Process second = server(data.root(), port);
        try {
            CliRun tail = CliRun.vigil("telemetry", "tail", "s1", "-n", "100", "--json", "--data", data.root().toString());
            assertThat(tail.exitCode()).as(tail.err()).isZero();
            assertThat(tail.out()).contains("\"v\":0.0").contains("\"v\":7.0");
            assertThat(List.of(tail.out().split("\"name\":\"n\"")).size() - 1).isEqualTo(8);
        } finally {
            second.destroy();
            second.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
