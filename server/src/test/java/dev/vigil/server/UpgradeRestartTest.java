package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil server} stopped with SIGTERM (as systemd does for an upgrade) and started again: devices notice nothing. */
class UpgradeRestartTest {

    @TempDir
    Path dir;

    @Test
    void a_device_goes_on_without_a_handshake_across_a_sigterm_and_a_new_server_process() throws Exception {
        DataDir data = DataDir.init(dir.resolve("data"));
        KeyPair key = PemFiles.generateP256();
        Path pub = dir.resolve("device.pub.pem");
        PemFiles.writePublicKey(pub, key.getPublic());
        ServerProcess first = ServerProcess.start(data.root(), "first");
        try (DeviceClient device = new DeviceClient(first.deviceUri(), key,
                PemFiles.readPublicKey(data.serverPublicKey())).timeout(10_000)) {
            CliRun add = CliRun.vigil("device", "add", "s1", "--key", pub.toString(), "--profile", "sensor",
                    "--data", data.root().toString());
            assertThat(add.exitCode()).as(add.err()).isZero();
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("n", 1.0))).code()).isEqualTo(ResponseCode.CHANGED);

            first.terminate();
            assertThat(first.log()).contains("event=dtls-state-saved connections=1");
            try (ServerProcess second = ServerProcess.start(data.root(), first.deviceUri().getPort(), "second")) {
                assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("n", 2.0))).code())
                        .isEqualTo(ResponseCode.CHANGED);
                assertThat(device.traffic().fullHandshakes()).isEqualTo(1);
                assertThat(device.traffic().resumedHandshakes()).isZero();
                assertThat(second.log()).contains("event=dtls-state-loaded connections=1");
                CliRun tail = CliRun.vigil("telemetry", "tail", "s1", "-n", "10", "--json", "--data",
                        data.root().toString());
                assertThat(tail.exitCode()).as(tail.err()).isZero();
                assertThat(tail.out()).contains("\"v\":1.0").contains("\"v\":2.0");
            }
        } finally {
            first.close();
        }
    }
}
