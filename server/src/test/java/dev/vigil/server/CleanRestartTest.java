package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.devices.Lifecycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A clean stop saves the device endpoint's DTLS connections (encrypted), the next start on the same data
 * directory and port loads them: devices go on without a handshake — unless they were revoked meanwhile, or
 * the state file cannot be trusted.
 */
class CleanRestartTest {

    private VigilTestServer server;
    private DeviceClient device;
    private int port;
    private KeyPair key;
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger stateLog = (Logger) LoggerFactory.getLogger(DtlsStateFile.class);

    @BeforeEach
    void connectADevice() throws Exception {
        server = VigilTestServer.start();
        key = server.addDevice("s1", "sensor");
        device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(20_000);
        assertThat(device.sendTelemetry(reading(1)).code()).isEqualTo(ResponseCode.CHANGED);
        port = server.node().deviceAddress().getPort();
        log.start();
        stateLog.addAppender(log);
    }

    @AfterEach
    void stop() throws Exception {
        stateLog.detachAppender(log);
        device.close();
        server.close();
    }

    private static byte[] reading(double value) {
        return SenmlCbor.encode(Map.of("temp", value));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    private Path stateFile() {
        return server.dataDir().root().resolve("dtls-state");
    }

    private List<String> ignoredLines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(line -> line.contains("dtls-state-ignored")).toList();
    }

    @Test
    void after_a_clean_restart_a_device_goes_on_without_a_handshake_and_its_reading_is_stored() throws Exception {
        server.restart(config -> config.set(VigilConfig.COAPS_PORT, port));

        assertThat(device.sendTelemetry(reading(2)).code()).isEqualTo(ResponseCode.CHANGED);

        assertThat(device.traffic().fullHandshakes()).isEqualTo(1);
        assertThat(device.traffic().resumedHandshakes()).isZero();
        assertThat(server.node().fullDeviceHandshakes()).isZero();
        assertThat(server.readings("s1")).hasSize(2);
        assertThat(stateFile()).doesNotExist(); // read once
        assertThat(ignoredLines()).isEmpty();
    }

    @Test
    void a_loaded_session_is_dropped_once_its_device_makes_a_new_one() throws Exception {
        server.restart(config -> config.set(VigilConfig.COAPS_PORT, port));
        assertThat(server.node().deviceConnections()).as("the loaded session").isEqualTo(1);

        device.close(); // it reboots without its session (no close_notify) and comes back from another port
        try (DeviceClient rebooted = new DeviceClient(server.deviceUri(), key, server.serverPublicKey())
                .timeout(20_000)) {
            assertThat(rebooted.sendTelemetry(reading(2)).code()).isEqualTo(ResponseCode.CHANGED);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (server.node().deviceConnections() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(server.node().deviceConnections()).as("the superseded loaded session is dropped").isEqualTo(1);
            assertThat(rebooted.sendTelemetry(reading(3)).code()).as("the new one stands")
                    .isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.node().fullDeviceHandshakes()).isEqualTo(1);
        assertThat(server.readings("s1")).hasSize(3);
    }

    @Test
    void the_state_file_is_encrypted_and_readable_by_the_owner_only() throws Exception {
        server.restart(config -> {
            config.set(VigilConfig.COAPS_PORT, port);
            try {
                byte[] saved = Files.readAllBytes(stateFile());
                assertThat(Files.getPosixFilePermissions(stateFile())).isEqualTo(OWNER_ONLY);
                assertThat(Files.getPosixFilePermissions(server.dataDir().root().resolve("dtls-state.key")))
                        .isEqualTo(OWNER_ONLY);
                // the device's public key, which Scandium's serialisation holds, is nowhere in the file
                byte[] point = java.util.Arrays.copyOfRange(key.getPublic().getEncoded(), 27, 59);
                assertThat(indexOf(saved, point)).isEqualTo(-1);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(device.sendTelemetry(reading(2)).code()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void a_device_decommissioned_while_the_node_was_down_loses_its_saved_session() throws Exception {
        server.restart(config -> {
            config.set(VigilConfig.COAPS_PORT, port);
            whileDown(registry -> registry.devices().change("s1", Lifecycle.DECOMMISSION, Actor.system("test")));
        });

        assertThat(server.node().deviceConnections()).isZero();
        DeviceClient.Outcome outcome = device.timeout(2_000).sendTelemetry(reading(2));
        assertThat(outcome.code()).isNotEqualTo(ResponseCode.CHANGED);
        device.renewSession(); // a new handshake is refused: the key is tombstoned
        assertThat(device.sendTelemetry(reading(3)).code()).isNotEqualTo(ResponseCode.CHANGED);
        assertThat(server.readings("s1")).hasSize(1);
    }

    @Test
    void a_device_suspended_while_the_node_was_down_loses_its_saved_session_and_its_handshake_is_refused()
            throws Exception {
        server.restart(config -> {
            config.set(VigilConfig.COAPS_PORT, port);
            whileDown(registry -> registry.devices().change("s1", Lifecycle.SUSPEND, Actor.system("test")));
        });

        assertThat(server.node().deviceConnections()).isZero();
        assertThat(device.timeout(2_000).sendTelemetry(reading(2)).code()).isNotEqualTo(ResponseCode.CHANGED);
        assertThat(server.readings("s1")).hasSize(1);
    }

    /**
     * Changes the registry while the node is down, as another node sharing it would: through a node of its own on
     * the same data directory, with the saved state file put aside meanwhile.
     */
    private void whileDown(java.util.function.Consumer<dev.vigil.provisioning.Registry> change) {
        try {
            Path aside = stateFile().resolveSibling("dtls-state.aside");
            Files.move(stateFile(), aside);
            org.eclipse.californium.elements.config.Configuration other = VigilConfig.load(server.dataDir());
            other.set(VigilConfig.COAPS_PORT, 0);
            other.set(VigilConfig.MGMT_PORT, 0);
            other.set(VigilConfig.METRICS_ADDRESS, "off");
            try (VigilServer elsewhere = VigilServer.start(server.dataDir(), other, java.time.Clock.systemUTC())) {
                change.accept(elsewhere.registry());
            }
            assertThat(stateFile()).doesNotExist(); // it held no session to save
            Files.move(aside, stateFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void a_corrupted_state_file_is_ignored_with_one_line_and_devices_run_a_full_handshake() throws Exception {
        server.restart(config -> {
            config.set(VigilConfig.COAPS_PORT, port);
            try {
                byte[] bytes = Files.readAllBytes(stateFile());
                bytes[bytes.length / 2] ^= 0x01;
                Files.write(stateFile(), bytes);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        assertThat(ignoredLines()).singleElement().asString().contains("it does not decrypt");
        assertThat(stateFile()).doesNotExist();
        assertThat(server.node().deviceConnections()).isZero();
        assertThat(device.timeout(2_000).sendTelemetry(reading(2)).code()).isNotEqualTo(ResponseCode.CHANGED);
        device.renewSession();
        assertThat(device.timeout(20_000).sendTelemetry(reading(3)).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(device.traffic().fullHandshakes()).isEqualTo(2);
        assertThat(server.node().fullDeviceHandshakes()).isEqualTo(1);
    }

    @Test
    void a_state_file_older_than_the_maximum_age_is_ignored_with_one_line() throws Exception {
        server.restart(config -> {
            config.set(VigilConfig.COAPS_PORT, port);
            config.set(VigilConfig.DTLS_STATE_MAX_AGE, 1, TimeUnit.MILLISECONDS);
            try {
                Thread.sleep(5); // the file is older than 1 ms, whatever the machine's speed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        assertThat(ignoredLines()).singleElement().asString().contains("over the maximum age");
        assertThat(server.node().deviceConnections()).isZero();
    }
}
