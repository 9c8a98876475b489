package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing acknowledged is lost: readings answered 2.04 survive a SIGKILL of the server process. */
class CrashDurabilityTest {

    @TempDir
    Path dir;

    @Test
    void readings_acknowledged_before_a_kill_9_are_all_there_after_restart() throws Exception {
        DataDir data = DataDir.init(dir.resolve("data"));
        KeyPair key = PemFiles.generateP256();
        Path pub = dir.resolve("device.pub.pem");
        PemFiles.writePublicKey(pub, key.getPublic());
        try (ServerProcess first = ServerProcess.start(data.root(), "first")) {
            CliRun add = CliRun.vigil("device", "add", "s1", "--key", pub.toString(), "--profile", "sensor",
                    "--data", data.root().toString());
            assertThat(add.exitCode()).as(add.err()).isZero();
            try (DeviceClient device = new DeviceClient(first.deviceUri(), key,
                    PemFiles.readPublicKey(data.serverPublicKey())).timeout(5_000)) {
                for (int i = 0; i < 8; i++) {
                    assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("n", (double) i))).code())
                            .isEqualTo(ResponseCode.CHANGED);
                }
            }
            first.kill9(); // SIGKILL: no shutdown hook, no clean close of the database
        }
        Files.deleteIfExists(data.managementUriFile());

        try (ServerProcess second = ServerProcess.start(data.root(), "second")) {
            CliRun tail = CliRun.vigil("telemetry", "tail", "s1", "-n", "100", "--json", "--data", data.root().toString());
            assertThat(tail.exitCode()).as(tail.err()).isZero();
            assertThat(tail.out()).contains("\"v\":0.0").contains("\"v\":7.0");
            assertThat(List.of(tail.out().split("\"name\":\"n\"")).size() - 1).isEqualTo(8);
        }
    }
}
