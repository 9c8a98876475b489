package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.Enrollment;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Revocation and session lifetime take effect on live DTLS sessions. */
class RevocationTest {

    private VigilTestServer server;

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private static byte[] reading() {
        return SenmlCbor.encode(Map.of("temp", 20.0));
    }

    /**
     * A request right after a revocation is refused either at the re-handshake the close_notify caused,
     * or, if it was already on its way over the old session, by the gate with 4.03 — never accepted.
     */
    private static void assertRefused(DeviceClient.Outcome outcome) {
        assertThat(outcome.isSuccess()).isFalse();
        if (outcome.code() != null) {
            assertThat(outcome.code()).isEqualTo(ResponseCode.FORBIDDEN);
        } else {
            assertThat(outcome.failure()).contains("refused the DTLS handshake");
        }
    }

    @Test
    void decommission_cuts_the_live_session_refuses_the_next_handshake_and_tombstones_the_key() throws Exception {
        server = VigilTestServer.start();
        KeyPair key = server.addDevice("doomed", "sensor");
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000)) {
            assertThat(device.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);

            server.admin("device.decommission", VigilTestServer.args().put("name", "doomed"));
            assertRefused(device.sendTelemetry(reading()));
        }
        try (DeviceClient fresh = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000)) {
            assertThat(fresh.sendTelemetry(reading()).failure()).contains("refused the DTLS handshake");
        }
        JsonNode events = server.admin("events", VigilTestServer.args()).path("events");
        assertThat(events.findValuesAsText("type")).contains("tombstoned-key-seen");

        // the tombstoned key cannot come back through enrollment either
        Path state = server.scratch("again");
        PemFiles.writeKeyPair(state.resolve(DeviceKeys.KEY_FILE), key);
        String token = server.admin("token.create", VigilTestServer.args().put("profile", "sensor")).path("token").asText();
        DeviceClient.Outcome reenroll = Enrollment.enroll(state, server.deviceUri(), server.dataDir().serverPublicKey(),
                token, 5_000);
        assertThat(reenroll.code()).isNull();
        assertThat(reenroll.failure()).contains("refused the DTLS handshake");
        assertThat(server.admin("device.show", VigilTestServer.args().put("name", "doomed")).path("state").asText())
                .isEqualTo("DECOMMISSIONED");
    }

    @Test
    void suspend_cuts_the_session_and_reinstate_lets_the_device_back() throws Exception {
        server = VigilTestServer.start();
        KeyPair key = server.addDevice("s1", "sensor");
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000)) {
            assertThat(device.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);
            server.admin("device.suspend", VigilTestServer.args().put("name", "s1"));
            assertRefused(device.sendTelemetry(reading()));
            server.admin("device.reinstate", VigilTestServer.args().put("name", "s1"));
            assertThat(device.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);
        }
    }

    @Test
    void a_quarantined_device_may_only_rotate_its_key() throws Exception {
        server = VigilTestServer.start();
        KeyPair key = server.addDevice("q1", "sensor");
        server.admin("device.quarantine", VigilTestServer.args().put("name", "q1"));
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000)) {
            assertThat(device.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(device.send("/key", org.eclipse.californium.core.coap.Request.newGet()).code())
                    .isEqualTo(ResponseCode.CONTENT);
        }
    }

    @Test
    void a_session_past_its_lifetime_forces_a_full_handshake_and_a_suspended_key_cannot_resume() throws Exception {
        server = VigilTestServer.start(config -> config.set(VigilConfig.SESSION_MAX_LIFETIME, 2, TimeUnit.SECONDS));
        KeyPair key = server.addDevice("s1", "sensor");
        KeyPair other = server.addDevice("s2", "sensor");
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000);
                DeviceClient second = new DeviceClient(server.deviceUri(), other, server.serverPublicKey()).timeout(5_000)) {
            assertThat(device.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(second.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);
            long handshakes = server.node().fullDeviceHandshakes();
            assertThat(device.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(server.node().fullDeviceHandshakes()).as("a young session is reused").isEqualTo(handshakes);

            // suspended behind the endpoints' back: no session is cut, only the registry changes
            server.node().registry().devices().change("s2", dev.vigil.provisioning.devices.Lifecycle.SUSPEND,
                    new dev.vigil.provisioning.Actor("test"));
            Thread.sleep(2600); // the session must outlive its 2 s lifetime: elapsed time is what is tested

            assertThat(device.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(server.node().fullDeviceHandshakes()).as("the old session was not resumed")
                    .isGreaterThan(handshakes);
            DeviceClient.Outcome suspended = second.sendTelemetry(reading());
            assertThat(suspended.failure()).contains("refused the DTLS handshake");
        }
    }

    @Test
    void an_unknown_keys_enrollment_session_lives_only_its_short_lifetime() throws Exception {
        server = VigilTestServer.start(config -> config.set(VigilConfig.ENROLLMENT_SESSION_LIFETIME, 1, TimeUnit.SECONDS));
        KeyPair stranger = PemFiles.generateP256();
        try (DeviceClient device = new DeviceClient(server.deviceUri(), stranger, server.serverPublicKey()).timeout(5_000)) {
            assertThat(device.send("/.well-known/core", org.eclipse.californium.core.coap.Request.newGet()).code())
                    .isEqualTo(ResponseCode.CONTENT);
            long handshakes = server.node().fullDeviceHandshakes();
            Thread.sleep(1500); // the session must outlive its 1 s lifetime: elapsed time is what is tested
            assertThat(device.send("/.well-known/core", org.eclipse.californium.core.coap.Request.newGet()).code())
                    .isEqualTo(ResponseCode.CONTENT);
            assertThat(server.node().fullDeviceHandshakes()).as("closed and not resumed: a full handshake again")
                    .isGreaterThan(handshakes);
        }
    }
}
