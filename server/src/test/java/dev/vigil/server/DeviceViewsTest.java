package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What operators look at first: last seen, live session, last reading, firmware; list filters and sorting. */
class DeviceViewsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private VigilTestServer server;

    @BeforeEach
    void start() {
        server = VigilTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private CliRun vigil(String... args) {
        return server.vigil(args);
    }

    private List<String> names(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("device", "list", "--json"));
        all.addAll(List.of(args));
        CliRun run = vigil(all.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        return JSON.readTree(run.out()).path("devices").findValuesAsText("name");
    }

    @Test
    void a_device_that_spoke_shows_when_from_where_its_session_and_its_last_reading() throws Exception {
        KeyPair key = server.addDevice("pump-1", "sensor");
        server.addDevice("pump-2", "sensor");
        server.addDevice("valve-1", "actuator");
        server.admin("device.suspend", VigilTestServer.args().put("name", "pump-2"));
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000)) {
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("temp", 20.5))).code())
                    .isEqualTo(ResponseCode.CHANGED);

            JsonNode shown = JSON.readTree(vigil("device", "show", "pump-1", "--json").out());
            assertThat(shown.path("lastSeen").asText()).isNotEmpty();
            assertThat(shown.path("lastReading").asText()).isNotEmpty();
            assertThat(shown.path("session").path("address").asText()).startsWith("127.0.0.1:");
            assertThat(shown.path("session").path("connectionId").asText()).hasSize(8); // 4 bytes, hex
            assertThat(shown.path("session").path("handshake").asText()).isEqualTo("full");
            CliRun human = vigil("device", "show", "pump-1");
            assertThat(human.out()).contains("last seen 20").contains("session since ").contains("full handshake")
                    .contains("Connection ID ");
            device.renewSession(); // the next request resumes the session: an abbreviated handshake
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("temp", 20.6))).code())
                    .isEqualTo(ResponseCode.CHANGED);
            JsonNode resumed = JSON.readTree(vigil("device", "show", "pump-1", "--json").out()).path("session");
            assertThat(resumed.path("handshake").asText()).isEqualTo("resumed");
            assertThat(resumed.path("since").asText()).as("since the full handshake it resumed")
                    .isEqualTo(shown.path("session").path("since").asText());
            JsonNode quiet = JSON.readTree(vigil("device", "show", "valve-1", "--json").out());
            assertThat(quiet.has("lastSeen")).isFalse();
            assertThat(quiet.has("session")).isFalse();
            assertThat(vigil("device", "show", "valve-1").out()).contains("last seen not since the node started")
                    .contains("session none live");

            assertThat(names("--profile", "sensor")).containsExactly("pump-1", "pump-2");
            assertThat(names("--state", "suspended")).containsExactly("pump-2");
            assertThat(names("--name", "pump-*")).containsExactly("pump-1", "pump-2");
            assertThat(names("--seen-before", "1h")).as("silent for an hour, or never heard from")
                    .containsExactly("pump-2", "valve-1");
            assertThat(names("--sort", "last-seen")).last().isEqualTo("pump-1");
            JsonNode listed = JSON.readTree(vigil("device", "list", "--json", "--name", "pump-1").out());
            assertThat(listed.path("devices").get(0).path("online").asBoolean()).isTrue();
            assertThat(vigil("device", "list").out()).contains("LAST SEEN").containsPattern("pump-1 .* \\d+s ago \\*");
        }
        CliRun badDuration = vigil("device", "list", "--seen-before", "soon");
        assertThat(badDuration.exitCode()).isEqualTo(2);
        assertThat(badDuration.errLines()[0]).contains("--seen-before must be a duration such as 30m, 1h or 2d");
        CliRun badState = vigil("device", "list", "--state", "sleeping");
        assertThat(badState.exitCode()).isEqualTo(1);
        assertThat(badState.errLines()).singleElement().asString().contains("state must be one of");
    }

    @Test
    void telemetry_tail_follow_prints_new_readings_as_they_are_stored_with_their_measurement_time() throws Exception {
        KeyPair key = server.addDevice("pump-9", "sensor");
        java.io.StringWriter out = new java.io.StringWriter();
        String[] args = {"telemetry", "tail", "pump-9", "-f", "--server", server.managementUri().toString(),
            "--operator-key", server.dataDir().adminKey().toString(), "--server-key",
            server.dataDir().serverPublicKey().toString()};
        Thread follower = new Thread(() -> dev.vigil.provisioning.cli.VigilCli.run(Main.context(
                new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter(), true)), args));
        follower.start();
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000)) {
            long measured = java.time.Instant.now().getEpochSecond() - 60; // a device with a clock says when it measured
            org.eclipse.californium.core.coap.Request post = org.eclipse.californium.core.coap.Request.newPost();
            post.setPayload("[{\"n\":\"flow\",\"u\":\"l/min\",\"v\":7.5,\"t\":" + measured + "}]");
            post.getOptions().setContentFormat(110); // SenML JSON
            assertThat(device.send("/t", post).code()).isEqualTo(ResponseCode.CHANGED);
            for (int waited = 0; !out.toString().contains("flow") && waited < 100; waited++) {
                Thread.sleep(100);
            }
            assertThat(out.toString()).contains(java.time.Instant.ofEpochSecond(measured) + "  flow  7.5  l/min");
        } finally {
            follower.interrupt();
            follower.join(10_000);
        }
        assertThat(follower.isAlive()).isFalse();
    }
}
