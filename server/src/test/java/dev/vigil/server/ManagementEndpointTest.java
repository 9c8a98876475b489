package dev.vigil.server;

import dev.vigil.provisioning.management.ManagementException;

import static dev.vigil.server.CliRun.vigil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.provisioning.cli.ManagementEndpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The management endpoint and the {@code vigil} CLI against a real node, in-process. */
class ManagementEndpointTest {

    private VigilTestServer server;

    @BeforeEach
    void start() {
        server = VigilTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private String[] endpoint() {
        return new String[] {"--server", server.managementUri().toString(),
            "--operator-key", server.dataDir().adminKey().toString(),
            "--server-key", server.dataDir().serverPublicKey().toString()};
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(b, 0, all, 0, b.length);
        System.arraycopy(a, 0, all, b.length, a.length);
        return all;
    }

    @Test
    void a_device_key_cannot_complete_a_handshake_with_the_management_endpoint() throws Exception {
        KeyPair deviceKey = server.addDevice("sensor-1", "sensor");
        ManagementEndpoint asDevice = new ManagementEndpoint(server.managementUri(), deviceKey, server.serverPublicKey());
        try (ManagementClient client = CoapsManagementClient.connect(asDevice)) {
            assertThatThrownBy(() -> client.call("device.list", VigilTestServer.args()))
                    .isInstanceOfSatisfying(ManagementException.class,
                            e -> assertThat(e.reason()).isEqualTo(ManagementException.Reason.FORBIDDEN))
                    .hasMessageContaining("handshake");
        }
    }

    @Test
    void device_added_with_the_cli_while_the_server_runs_can_connect_at_once() throws Exception {
        Path state = server.scratch("device");
        KeyPair key = PemFiles.generateP256();
        Path pub = state.resolve("device.pub.pem");
        PemFiles.writePublicKey(pub, key.getPublic());

        CliRun add = vigil(concat(endpoint(), "device", "add", "sensor-7", "--key", pub.toString(), "--profile", "sensor"));
        assertThat(add.exitCode()).as(add.err()).isZero();
        assertThat(add.out()).contains("added sensor-7");

        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey())) {
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("temp", 20.25))).code())
                    .isEqualTo(ResponseCode.CHANGED);
        }

        CliRun list = vigil(concat(endpoint(), "device", "list"));
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains("sensor-7").contains("sensor").contains("ACTIVE");

        CliRun json = vigil(concat(endpoint(), "device", "list", "--json"));
        var devices = new ObjectMapper().readTree(json.out()).path("devices");
        assertThat(devices).hasSize(1);
        assertThat(devices.get(0).path("keyId").asText()).isEqualTo(dev.vigil.provisioning.keys.KeyIds.of(key.getPublic()));

        CliRun tail = vigil(concat(endpoint(), "telemetry", "tail", "sensor-7"));
        assertThat(tail.exitCode()).isZero();
        assertThat(tail.out()).contains("temp").contains("20.25");

        CliRun tailJson = vigil(concat(endpoint(), "telemetry", "tail", "sensor-7", "--json"));
        assertThat(new ObjectMapper().readTree(tailJson.out()).path("readings").get(0).path("v").asDouble())
                .isEqualTo(20.25);
    }

    @Test
    void key_names_the_operator_key_where_the_command_has_no_key_of_its_own() throws Exception {
        CliRun list = vigil("device", "list", "--server", server.managementUri().toString(),
                "--key", server.dataDir().adminKey().toString(),
                "--server-key", server.dataDir().serverPublicKey().toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).startsWith("NAME");
        CliRun help = vigil("device", "add", "--help");
        assertThat(help.out()).contains("--key=PUBKEY.pem").contains("--operator-key=FILE");
    }

    @Test
    void data_dir_supplies_endpoint_operator_key_and_server_key() throws Exception {
        // A running node writes mgmt.uri into its data directory; --data reads it.
        java.nio.file.Files.writeString(server.dataDir().managementUriFile(), server.managementUri().toString());
        CliRun list = vigil("device", "list", "--data", server.dataDir().root().toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).startsWith("NAME");
    }

    @Test
    void a_tampered_audit_record_is_named_by_vigil_audit_verify_with_exit_1() throws Exception {
        server.addDevice("s1", "sensor");
        server.admin("device.suspend", VigilTestServer.args().put("name", "s1"));
        server.node().registry().database().inTransaction(c -> {
            try (var update = c.prepareStatement("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")) {
                return update.executeUpdate();
            }
        });
        CliRun verify = vigil(concat(endpoint(), "audit", "verify"));
        assertThat(verify.exitCode()).isEqualTo(1);
        assertThat(verify.errLines()).containsExactly("vigil audit verify: BROKEN in 1 place, first at record 2:"
                + " record 2 was changed after it was written");
        assertThat(verify.out()).isEqualTo("record 2: record 2 was changed after it was written\n");
    }

    @Test
    void audit_verify_with_the_data_directory_of_a_stopped_server_reads_its_database_directly() throws Exception {
        server.addDevice("s1", "sensor");
        server.admin("device.suspend", VigilTestServer.args().put("name", "s1"));
        VigilTestServer stopped = server;
        String data = stopped.dataDir().root().toString();
        stopped.stopKeepingData(); // stopped: no management endpoint, no mgmt.uri
        server = VigilTestServer.start(); // for the common teardown
        CliRun intact = vigil("audit", "verify", "--data", data);
        assertThat(intact.exitCode()).as(intact.err()).isZero();
        assertThat(intact.out()).startsWith("audit log intact: ").contains("records verified");
        try (dev.vigil.provisioning.store.Database database = dev.vigil.provisioning.store.Database.openEmbedded(
                stopped.dataDir().root())) {
            database.inTransaction(c -> {
                try (var update = c.prepareStatement("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")) {
                    return update.executeUpdate();
                }
            });
        }
        CliRun broken = vigil("audit", "verify", "--data", data);
        assertThat(broken.exitCode()).isEqualTo(1);
        assertThat(broken.errLines()).containsExactly("vigil audit verify: BROKEN in 1 place, first at record 2:"
                + " record 2 was changed after it was written");
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(stopped.dataDir().root())) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void removing_an_operator_cuts_its_live_session() throws Exception {
        KeyPair bobKey = PemFiles.generateP256();
        server.admin("operator.add", VigilTestServer.args().put("name", "bob").put("role", "admin")
                .put("publicKey", PemFiles.publicKeyPem(bobKey.getPublic())));
        try (ManagementClient bob = CoapsManagementClient.connect(
                new ManagementEndpoint(server.managementUri(), bobKey, server.serverPublicKey()))) {
            assertThat(bob.call("device.list", VigilTestServer.args()).path("devices")).isEmpty();
            server.admin("operator.remove", VigilTestServer.args().put("name", "bob"));
            // refused at the re-handshake, or with 4.03 if the request raced the close_notify
            assertThatThrownBy(() -> bob.call("device.list", VigilTestServer.args()))
                    .isInstanceOfSatisfying(ManagementException.class,
                            e -> assertThat(e.reason()).isEqualTo(ManagementException.Reason.FORBIDDEN));
        }
    }

    @Test
    void refusals_are_one_line_and_exit_1() throws Exception {
        Path state = server.scratch("device");
        KeyPair key = PemFiles.generateP256();
        Path pub = state.resolve("device.pub.pem");
        PemFiles.writePublicKey(pub, key.getPublic());
        assertThat(vigil(concat(endpoint(), "device", "add", "sensor-1", "--key", pub.toString(), "--profile", "sensor"))
                .exitCode()).isZero();

        CliRun again = vigil(concat(endpoint(), "device", "add", "sensor-1", "--key", pub.toString(), "--profile", "sensor"));
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.errLines()).containsExactly("vigil device add: a device named 'sensor-1' already exists");

        CliRun noProfile = vigil(concat(endpoint(), "device", "add", "sensor-2", "--key", pub.toString(), "--profile", "x"));
        assertThat(noProfile.exitCode()).isEqualTo(1);
        assertThat(noProfile.errLines()).containsExactly("vigil device add: no profile named 'x' in the policy in force");

        CliRun badName = vigil(concat(endpoint(), "device", "add", "bad/name", "--key", pub.toString(), "--profile", "sensor"));
        assertThat(badName.exitCode()).isEqualTo(1);
        assertThat(badName.errLines()).hasSize(1);
        assertThat(badName.err()).contains("device name must be");

        CliRun unknown = vigil(concat(endpoint(), "telemetry", "tail", "nobody"));
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.errLines()).containsExactly("vigil telemetry tail: no device named 'nobody'");

        CliRun missingKey = vigil(concat(endpoint(), "device", "add", "s2", "--key", "/nonexistent.pem", "--profile", "x"));
        assertThat(missingKey.exitCode()).isEqualTo(1);
        assertThat(missingKey.errLines()).containsExactly("vigil device add: no such file: /nonexistent.pem");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "[1]                      | arguments must be a JSON object",
        "\"limit\"              | arguments must be a JSON object",
        "{\"limit\": 1} x       | arguments are not valid JSON",
        "{\"limit\": 1, \"limit\": 2} | arguments are not valid JSON",
        "{\"limit\": 1.5}       | limit must be a whole number between 1 and 1000",
        "{\"limit\": 2, \"after\": 0.5} | after must be a whole number of at least 0",
        "{\"limit\": 2, \"after\": 9007199254740993.5} | after must be a whole number of at least 0",
    })
    void arguments_that_are_not_one_object_of_whole_numbers_are_4_00_with_one_line(String body, String reason) {
        Request request = Request.newPost();
        request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
        request.setPayload(body);
        try (DeviceClient operator = new DeviceClient(server.managementUri(), server.adminKey(),
                server.serverPublicKey()).timeout(10_000)) {
            DeviceClient.Outcome outcome = operator.send("/op/audit.tail", request);

            assertThat(outcome.code()).isEqualTo(ResponseCode.BAD_REQUEST);
            assertThat(new String(outcome.payload(), StandardCharsets.UTF_8)).isEqualTo(reason);
        }
    }
}
