package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.Enrollment;
import dev.vigil.device.KeyAlgorithm;
import dev.vigil.device.KeyRotator;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.provisioning.cli.ManagementEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ed25519 device keys end to end over real DTLS on loopback: registered by an operator, enrolled with a
 * token, rotated, made and used through {@code vigil-device}; and refused everywhere when
 * {@code VIGIL.DEVICE_KEY_ALGORITHMS} leaves them out.
 */
class Ed25519DeviceKeysTest {

    private VigilTestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private Path ed25519Device(String name) throws Exception {
        Path state = server.scratch(name);
        DeviceKeys.generate(state, KeyAlgorithm.ED25519);
        return state;
    }

    private DeviceClient.Outcome send(KeyPair key) {
        try (DeviceClient client = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(10_000)) {
            return client.sendTelemetry(SenmlCbor.encode(Map.of("temp", 21.5)));
        }
    }

    private CliRun vigil(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server.managementUri().toString(),
                "--operator-key", server.dataDir().adminKey().toString(),
                "--server-key", server.dataDir().serverPublicKey().toString()));
        return CliRun.vigil(all.toArray(String[]::new));
    }

    private JsonNode events() throws Exception {
        return server.admin("events", VigilTestServer.args()).path("events");
    }

    @Test
    void an_ed25519_device_added_by_an_operator_sends_a_reading_that_is_acknowledged_and_stored() throws Exception {
        server = VigilTestServer.start();
        Path state = ed25519Device("ed-1");
        server.addDevice("ed-1", DeviceKeys.load(state).getPublic(), "sensor");

        DeviceClient.Outcome outcome = send(DeviceKeys.load(state));

        assertThat(outcome.code()).as(outcome.toString()).isEqualTo(ResponseCode.CHANGED);
        JsonNode readings = server.readings("ed-1");
        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).path("name").asText()).isEqualTo("temp");
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(21.5);
    }

    @Test
    void an_ed25519_device_enrolls_with_a_token_and_then_sends() throws Exception {
        server = VigilTestServer.start();
        Path state = ed25519Device("fresh");
        String token = server.admin("token.create", VigilTestServer.args().put("profile", "sensor")
                .put("name", "field-ed").put("ttlSeconds", 3600).put("uses", 1)).path("token").asText();

        DeviceClient.Outcome enrolled = Enrollment.enroll(state, server.deviceUri(), server.dataDir().serverPublicKey(),
                token, 10_000);

        assertThat(enrolled.code()).isEqualTo(ResponseCode.CREATED);
        assertThat(Enrollment.read(state)).isEqualTo(new Enrollment.Result("field-ed", "sensor", "ACTIVE"));
        assertThat(send(DeviceKeys.load(state)).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(server.readings("field-ed")).hasSize(1);
    }

    @Test
    void an_ed25519_device_rotates_to_a_new_ed25519_key_and_the_old_one_is_refused() throws Exception {
        server = VigilTestServer.start();
        Path state = ed25519Device("rotating");
        KeyPair original = DeviceKeys.load(state);
        server.addDevice("ed-rot", original.getPublic(), "sensor");

        KeyRotator.Result result = new KeyRotator(state, server.deviceUri(), server.serverPublicKey(), 10_000).rotate();

        assertThat(result).isEqualTo(KeyRotator.Result.ROTATED);
        KeyPair current = DeviceKeys.load(state);
        assertThat(current.getPublic().getEncoded()).isNotEqualTo(original.getPublic().getEncoded());
        assertThat(KeyAlgorithm.of(current.getPublic())).isEqualTo(KeyAlgorithm.ED25519);
        assertThat(send(current).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(send(original).code()).as("the retired key is refused at the handshake").isNull();
        JsonNode keys = server.admin("device.show", VigilTestServer.args().put("name", "ed-rot")).path("keys");
        assertThat(keys.findValuesAsText("state")).containsExactlyInAnyOrder("RETIRED", "ACTIVE");
    }

    @Test
    void vigil_device_keygen_with_algorithm_ed25519_then_send_works_through_the_cli() throws Exception {
        server = VigilTestServer.start();
        Path state = server.scratch("cli-device");

        DeviceCliRun keygen = DeviceCliRun.vigilDevice("keygen", "--state", state.toString(), "--algorithm", "ed25519");
        assertThat(keygen.exitCode()).as(keygen.err()).isZero();
        CliRun add = vigil("device", "add", "ed-cli", "--key", state.resolve(DeviceKeys.PUBLIC_FILE).toString(),
                "--profile", "sensor");
        assertThat(add.exitCode()).as(add.err()).isZero();

        DeviceCliRun send = DeviceCliRun.vigilDevice("send", "--state", state.toString(), "--server",
                server.deviceUri().toString(), "--server-key", server.dataDir().serverPublicKey().toString(),
                "--value", "temp=19.5");

        assertThat(send.exitCode()).as(send.err()).isZero();
        assertThat(server.readings("ed-cli").get(0).path("v").asDouble()).isEqualTo(19.5);
        assertThat(server.admin("device.show", VigilTestServer.args().put("name", "ed-cli")).path("keys")
                .findValuesAsText("keyId")).containsExactly(keygen.out().trim());
    }

    @Test
    void with_p256_only_an_ed25519_key_is_refused_at_device_add_import_and_enrollment_in_one_line() throws Exception {
        server = VigilTestServer.start(config -> config.set(VigilConfig.DEVICE_KEY_ALGORITHMS, "p256"));
        Path state = ed25519Device("refused");
        Path publicKey = state.resolve(DeviceKeys.PUBLIC_FILE);

        CliRun add = vigil("device", "add", "ed-refused", "--key", publicKey.toString(), "--profile", "sensor");
        assertThat(add.exitCode()).isEqualTo(1);
        assertThat(add.errLines()).containsExactly("vigil device add: an Ed25519 key is not allowed for devices here"
                + " (allowed: EC P-256; VIGIL.DEVICE_KEY_ALGORITHMS)");

        Path manifest = server.scratch("m").resolve("manifest.csv");
        String p256 = PemFiles.publicKeyPem(PemFiles.generateP256().getPublic()).strip();
        Files.writeString(manifest, "name,profile,key\np256-row,sensor,\"" + p256 + "\"\ned-row,sensor,\""
                + Files.readString(publicKey).strip() + "\"\n");
        CliRun imported = vigil("device", "import", manifest.toString());
        assertThat(imported.exitCode()).isEqualTo(1);
        assertThat(imported.errLines()[imported.errLines().length - 1]).isEqualTo("vigil device import: device 'ed-row':"
                + " an Ed25519 key is not allowed for devices here (allowed: EC P-256; VIGIL.DEVICE_KEY_ALGORITHMS);"
                + " nothing imported");

        String token = server.admin("token.create", VigilTestServer.args().put("profile", "sensor")
                .put("ttlSeconds", 3600).put("uses", 1)).path("token").asText();
        DeviceClient.Outcome enrolled = Enrollment.enroll(state, server.deviceUri(), server.dataDir().serverPublicKey(),
                token, 10_000);
        assertThat(enrolled.code()).as("refused at the handshake, before any request").isNull();
        assertThat(enrolled.failure()).contains("refused the DTLS handshake");

        assertThat(server.admin("device.list", VigilTestServer.args()).path("devices")).isEmpty();
        assertThat(events().findValuesAsText("detail")).contains("an Ed25519 key is not allowed for devices here"
                + " (allowed: EC P-256; VIGIL.DEVICE_KEY_ALGORITHMS)");
    }

    @Test
    void an_ed25519_device_registered_before_the_setting_left_ed25519_out_is_refused_at_the_handshake() throws Exception {
        server = VigilTestServer.start();
        Path state = ed25519Device("before");
        server.addDevice("ed-old", DeviceKeys.load(state).getPublic(), "sensor");
        KeyPair p256 = server.addDevice("p256-old", "sensor");
        assertThat(send(DeviceKeys.load(state)).code()).isEqualTo(ResponseCode.CHANGED);

        server.restart(config -> config.set(VigilConfig.DEVICE_KEY_ALGORITHMS, "p256"));

        DeviceClient.Outcome refused = send(DeviceKeys.load(state));
        assertThat(refused.code()).isNull();
        assertThat(refused.failure()).isEqualTo("the server refused the DTLS handshake (bad_certificate)");
        assertThat(send(p256).code()).as("EC P-256 devices are unaffected").isEqualTo(ResponseCode.CHANGED);
        assertThat(events()).anySatisfy(event -> {
            assertThat(event.path("type").asText()).isEqualTo("handshake-refused");
            assertThat(event.path("subject").asText()).isEqualTo("ed-old");
            assertThat(event.path("detail").asText()).startsWith("an Ed25519 key is not allowed for devices here");
        });
        assertThat(server.readings("ed-old")).hasSize(1);
    }

    @Test
    void an_operator_may_hold_an_ed25519_key() throws Exception {
        server = VigilTestServer.start();
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        server.admin("operator.add", VigilTestServer.args().put("name", "erin").put("role", "admin")
                .put("publicKey", PemFiles.publicKeyPem(key.getPublic())));

        try (ManagementClient erin = CoapsManagementClient.connect(new ManagementEndpoint(server.managementUri(), key,
                server.serverPublicKey()))) {
            assertThat(erin.call("device.list", VigilTestServer.args()).path("devices").isArray()).isTrue();
        }
    }
}
