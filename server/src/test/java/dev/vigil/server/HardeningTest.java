package dev.vigil.server;

import dev.vigil.provisioning.management.ManagementException;

import static dev.vigil.server.CliRun.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.cli.ManagementEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What an attack run found, each closed and kept closed: real DTLS on loopback, the real CLI. */
class HardeningTest {

    private VigilTestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private String[] admin() {
        return new String[] {"--server", server.managementUri().toString(), "--operator-key",
            server.dataDir().adminKey().toString(), "--server-key", server.dataDir().serverPublicKey().toString()};
    }

    /** The command, then the connection options (they belong to the subcommand). */
    private static String[] with(String[] connection, String... command) {
        String[] all = new String[command.length + connection.length];
        System.arraycopy(command, 0, all, 0, command.length);
        System.arraycopy(connection, 0, all, command.length, connection.length);
        return all;
    }

    private JsonNode events() throws ManagementException {
        return server.admin("events", VigilTestServer.args().put("limit", 1000)).path("events");
    }

    private DeviceClient client(KeyPair key) {
        return new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000);
    }

    private static ManagementEndpoint endpointFor(VigilTestServer server, KeyPair key) {
        return new ManagementEndpoint(server.managementUri(), key, server.serverPublicKey());
    }

    @Test
    void a_policy_that_renames_admin_is_refused_and_recover_mends_a_lock_out_with_local_access() throws Exception {
        server = VigilTestServer.start();
        Path renamed = server.scratch("p").resolve("renamed.json");
        String shipped = server.admin("policy.show", VigilTestServer.args()).path("document").asText();
        Files.writeString(renamed, shipped.replace("\"admin\":", "\"administrator\":"));
        long version = server.admin("policy.show", VigilTestServer.args()).path("version").asLong();

        for (String verb : new String[] {"validate", "apply"}) {
            CliRun refused = vigil(with(admin(), "policy", verb, renamed.toString()));
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.errLines()).singleElement().asString().startsWith("vigil policy " + verb
                    + ": this policy would lock every operator out");
        }
        assertThat(server.admin("policy.show", VigilTestServer.args()).path("version").asLong()).isEqualTo(version);

        // a lock-out that happened anyway (a database from before the guard): only local access mends it
        server.node().registry().database().inTransaction(c -> {
            try (var update = c.prepareStatement("UPDATE operators SET role = 'auditor'")) {
                return update.executeUpdate();
            }
        });
        assertThat(vigil(with(admin(), "operator", "list")).exitCode()).isZero();

        List<CliRun> recovered = new ArrayList<>();
        server.restart(() -> recovered.add(vigil("recover", "--data", server.dataDir().root().toString(),
                "--name", "rescue")));
        assertThat(recovered.get(0).exitCode()).as(recovered.get(0).err()).isZero();
        Path rescueKey = server.dataDir().root().resolve("operator-rescue.pem");
        assertThat(recovered.get(0).out()).contains("operator rescue (role admin)").contains(rescueKey.toString());
        assertThat(Files.getPosixFilePermissions(rescueKey)).hasSize(2);

        String[] rescue = {"--server", server.managementUri().toString(), "--operator-key", rescueKey.toString(),
            "--server-key", server.dataDir().serverPublicKey().toString()};
        Path good = server.scratch("p").resolve("same.json");
        Files.writeString(good, shipped);
        assertThat(vigil(with(rescue, "policy", "apply", good.toString())).exitCode()).isZero();
        assertThat(vigil(with(rescue, "audit", "verify")).out()).startsWith("audit log intact");
        assertThat(server.admin("audit.tail", VigilTestServer.args().put("limit", 5)).path("entries")
                .findValuesAsText("action")).contains("operator.recover");
    }

    @Test
    void a_device_key_cannot_be_added_as_an_operator_nor_reach_the_management_endpoint() throws Exception {
        server = VigilTestServer.start();
        KeyPair device = server.addDevice("s1", "sensor");
        Path pub = server.scratch("k").resolve("device.pub.pem");
        PemFiles.writePublicKey(pub, device.getPublic());

        CliRun add = vigil(with(admin(), "operator", "add", "mallory", "--key", pub.toString(), "--role", "admin"));

        assertThat(add.exitCode()).isEqualTo(1);
        assertThat(add.errLines()).singleElement().asString().contains("belongs or belonged to a device; one key is"
                + " one principal");
        try (var client = CoapsManagementClient.connect(endpointFor(server, device))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.call("status", VigilTestServer.args()))
                    .isInstanceOf(ManagementException.class);
        }
        assertThat(events()).anySatisfy(e -> {
            assertThat(e.path("type").asText()).isEqualTo("management-handshake-refused");
            assertThat(e.path("detail").asText()).isEqualTo("a device's key");
        });
    }

    @Test
    void unknown_and_removed_operator_keys_at_the_management_endpoint_are_events() throws Exception {
        server = VigilTestServer.start();
        KeyPair bob = PemFiles.generateP256();
        server.admin("operator.add", VigilTestServer.args().put("name", "bob").put("role", "auditor")
                .put("publicKey", PemFiles.publicKeyPem(bob.getPublic())));
        server.admin("operator.remove", VigilTestServer.args().put("name", "bob"));
        for (KeyPair key : new KeyPair[] {bob, PemFiles.generateP256()}) {
            try (var client = CoapsManagementClient.connect(endpointFor(server, key))) {
                client.call("status", VigilTestServer.args());
            } catch (ManagementException expected) {
                // refused
            }
        }
        assertThat(events()).filteredOn(e -> e.path("type").asText().equals("management-handshake-refused"))
                .extracting(e -> e.path("detail").asText())
                .contains("a removed operator's key", "an unknown key");
    }

    @Test
    void a_rate_limited_enrollment_is_a_security_event() throws Exception {
        server = VigilTestServer.start(config -> {
            config.set(VigilConfig.ENROLL_BURST, 1);
            config.set(VigilConfig.ENROLL_RATE, 0.01);
        });
        try (DeviceClient stranger = client(PemFiles.generateP256())) {
            assertThat(enroll(stranger).code()).isEqualTo(ResponseCode.FORBIDDEN);
            DeviceClient.Outcome limited = enroll(stranger);
            assertThat(limited.code()).isEqualTo(ResponseCode.TOO_MANY_REQUESTS);
        }
        assertThat(events()).extracting(e -> e.path("type").asText()).contains("enrollment-rate-limited");
    }

    private static DeviceClient.Outcome enroll(DeviceClient client) {
        Request request = Request.newPost();
        request.setPayload("{\"token\":\"vgt_AAAAAAAAAAAAAAAAAAAAAA\"}");
        request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
        return client.send("/enroll", request);
    }

    @Test
    void a_request_path_with_a_newline_and_terminal_escapes_is_printed_escaped_by_vigil_events() throws Exception {
        server = VigilTestServer.start();
        KeyPair key = server.addDevice("s1", "sensor");
        try (DeviceClient device = client(key)) {
            Request request = Request.newPost();
            request.setPayload(SenmlCbor.encode(Map.of("t", 1.0)));
            request.getOptions().setContentFormat(SenmlCbor.CONTENT_FORMAT);
            assertThat(device.send("/x%0Aevent%20type=forged%20%1B%5B2J", request).code())
                    .isEqualTo(ResponseCode.FORBIDDEN);
        }
        CliRun events = vigil(with(admin(), "events"));
        assertThat(events.exitCode()).isZero();
        assertThat(events.out()).doesNotContain("\u001b").contains("/x\\nevent type=forged \\u001b[2J");
        assertThat(events.out().lines()).filteredOn(line -> line.contains("forged")).hasSize(1);
    }

    @Test
    void unknown_keys_get_a_capped_share_of_sessions_which_are_removed_outright_when_they_expire() throws Exception {
        server = VigilTestServer.start(config -> {
            config.set(VigilConfig.MAX_ENROLLMENT_SESSIONS, 3);
            config.set(VigilConfig.ENROLLMENT_SESSION_LIFETIME, 1, TimeUnit.SECONDS);
        });
        KeyPair registered = server.addDevice("s1", "sensor");
        List<DeviceClient> strangers = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                DeviceClient stranger = client(PemFiles.generateP256());
                strangers.add(stranger);
                DeviceClient.Outcome outcome = enroll(stranger);
                if (i < 3) {
                    assertThat(outcome.code()).as("stranger %d", i).isEqualTo(ResponseCode.FORBIDDEN);
                } else {
                    assertThat(outcome.failure()).as("the fourth unknown key").contains("refused the DTLS handshake");
                }
            }
            assertThat(server.node().enrollmentSessions()).isEqualTo(3);
            try (DeviceClient device = client(registered)) {
                assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("t", 1.0))).code())
                        .as("a registered device is never crowded out").isEqualTo(ResponseCode.CHANGED);
            }
            // past their 1 s lifetime the strangers' connections are closed, then dropped: nothing stays behind
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.node().enrollmentSessions() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(server.node().enrollmentSessions()).isZero();
            assertThat(server.node().deviceConnections()).as("only the registered device's, if any").isLessThanOrEqualTo(1);
            assertThat(enroll(client(PemFiles.generateP256())).code()).as("room again")
                    .isEqualTo(ResponseCode.FORBIDDEN);
        } finally {
            strangers.forEach(DeviceClient::close);
        }
        assertThat(events()).extracting(e -> e.path("type").asText()).contains("enrollment-sessions-full");
    }

    @Test
    void a_block1_transfer_from_an_unknown_key_is_dropped_before_it_is_buffered() throws Exception {
        server = VigilTestServer.start();
        try (DeviceClient stranger = new DeviceClient(server.deviceUri(), PemFiles.generateP256(),
                server.serverPublicKey()).timeout(1_500)) {
            assertThat(enroll(stranger).code()).isEqualTo(ResponseCode.FORBIDDEN);
            Request big = Request.newPost();
            big.setPayload(new byte[3000]);
            big.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
            DeviceClient.Outcome outcome = stranger.send("/enroll", big);
            assertThat(outcome.code()).as("no answer: the blocks were dropped unread").isNull();
        }
        assertThat(events()).extracting(e -> e.path("type").asText()).contains("blockwise-refused");
    }

    @Test
    void a_device_that_wakes_up_without_its_session_five_times_leaves_one_connection_not_five() throws Exception {
        server = VigilTestServer.start();
        KeyPair key = server.addDevice("sleepy", "sensor");
        for (int i = 0; i < 5; i++) {
            try (DeviceClient device = client(key)) { // a new port and a full handshake each time, no close_notify
                assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("n", (double) i))).code())
                        .isEqualTo(ResponseCode.CHANGED);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.node().deviceConnections() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(server.node().deviceConnections()).as("superseded sessions are dropped").isEqualTo(1);
        assertThat(server.readings("sleepy")).hasSize(5);
    }
}
