package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.KeyRotator;
import dev.vigil.device.SenmlCbor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Key rotation end to end, with a crash (device or server) injected after each step. */
class RotationTest {

    private static final CBORMapper CBOR = new CBORMapper();

    private VigilTestServer server;
    private Path state;
    private KeyPair original;

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        state = server.scratch("device");
        original = DeviceKeys.generate(state);
        server.addDevice("dev-1", original.getPublic(), "sensor");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private KeyRotator rotator() {
        return new KeyRotator(state, server.deviceUri(), server.serverPublicKey(), 5_000);
    }

    private DeviceClient client(KeyPair key) {
        return new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000);
    }

    private ResponseCode send(KeyPair key) {
        try (DeviceClient client = client(key)) {
            DeviceClient.Outcome outcome = client.sendTelemetry(SenmlCbor.encode(Map.of("temp", 1.0)));
            return outcome.code();
        }
    }

    private JsonNode keys() throws Exception {
        return server.admin("device.show", VigilTestServer.args().put("name", "dev-1")).path("keys");
    }

    private long activeKeys() throws Exception {
        return keys().findValuesAsText("state").stream().filter("ACTIVE"::equals).count();
    }

    /** GET /key + POST /key by hand, as a device that then crashes before using its new key. */
    private KeyPair proposeAndCrash() throws Exception {
        KeyPair next = DeviceKeys.generateNext(state);
        try (DeviceClient client = client(original)) {
            Request get = Request.newGet();
            byte[] nonce = CBOR.readTree(client.send("/key", get).payload()).path("nonce").binaryValue();
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(next.getPrivate());
            signer.update("vigil-key-rotation-v1".getBytes(StandardCharsets.US_ASCII));
            signer.update(nonce);
            signer.update(DeviceKeys.keyId(original.getPublic()).getBytes(StandardCharsets.US_ASCII));
            ObjectNode body = CBOR.createObjectNode().put("key", next.getPublic().getEncoded()).put("nonce", nonce)
                    .put("signature", signer.sign());
            Request post = Request.newPost();
            post.setPayload(CBOR.writeValueAsBytes(body));
            post.getOptions().setContentFormat(60);
            assertThat(client.send("/key", post).code()).isEqualTo(ResponseCode.CHANGED);
        }
        return next;
    }

    @Test
    void rotation_replaces_the_key_and_retires_the_old_one() throws Exception {
        assertThat(rotator().rotate()).isEqualTo(KeyRotator.Result.ROTATED);

        KeyPair current = DeviceKeys.load(state);
        assertThat(current.getPublic()).isNotEqualTo(original.getPublic());
        assertThat(send(current)).isEqualTo(ResponseCode.CHANGED);
        assertThat(send(original)).as("the retired key is refused at the handshake").isNull();
        assertThat(keys().findValuesAsText("state")).containsExactlyInAnyOrder("RETIRED", "ACTIVE");
        assertThat(Files.exists(state.resolve(DeviceKeys.NEXT_KEY_FILE))).isFalse();
    }

    @Test
    void an_operator_request_reaches_the_device_and_is_cleared_by_the_rotation() throws Exception {
        server.admin("key.rotate", VigilTestServer.args().put("name", "dev-1"));
        try (DeviceClient client = client(original)) {
            JsonNode status = CBOR.readTree(client.send("/key", Request.newGet()).payload());
            assertThat(status.path("rotationRequested").asBoolean()).isTrue();
        }
        assertThat(rotator().rotate()).isEqualTo(KeyRotator.Result.ROTATED);
        assertThat(server.admin("device.show", VigilTestServer.args().put("name", "dev-1"))
                .path("rotationRequested").asBoolean()).isFalse();
    }

    @Test
    void vigil_device_send_learns_of_a_rotation_request_and_rotates() throws Exception {
        server.admin("key.rotate", VigilTestServer.args().put("name", "dev-1"));
        java.io.StringWriter out = new java.io.StringWriter();
        int code = dev.vigil.device.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(new java.io.StringWriter()),
                "send", "--state", state.toString(), "--server", server.deviceUri().toString(),
                "--server-key", server.dataDir().serverPublicKey().toString(), "--value", "temp=3");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("the server asks for a new key").contains("rotation: rotated");
        assertThat(DeviceKeys.load(state).getPublic()).isNotEqualTo(original.getPublic());
        assertThat(activeKeys()).isEqualTo(1);
    }

    @Test
    void device_crash_after_writing_the_new_key_before_sending_it_abandons_it() throws Exception {
        DeviceKeys.generateNext(state);

        assertThat(rotator().recover()).isEqualTo(KeyRotator.Result.ABANDONED);
        assertThat(send(DeviceKeys.load(state))).isEqualTo(ResponseCode.CHANGED);
        assertThat(activeKeys()).isEqualTo(1);
        assertThat(rotator().rotate()).isEqualTo(KeyRotator.Result.ROTATED);
    }

    @ParameterizedTest(name = "server restarted: {0}")
    @ValueSource(booleans = {false, true})
    void device_crash_after_the_server_stored_the_new_key_recovers_it(boolean restartServer) throws Exception {
        KeyPair next = proposeAndCrash();
        if (restartServer) {
            server.restart();
        }
        assertThat(send(original)).as("until the new key is used, the old one works").isEqualTo(ResponseCode.CHANGED);
        assertThat(activeKeys()).isEqualTo(1);

        assertThat(rotator().recover()).isEqualTo(KeyRotator.Result.RECOVERED);
        assertThat(DeviceKeys.load(state).getPublic()).isEqualTo(next.getPublic());
        assertThat(send(next)).isEqualTo(ResponseCode.CHANGED);
        assertThat(activeKeys()).isEqualTo(1);
    }

    @Test
    void device_crash_after_the_server_promoted_the_key_before_the_device_did_recovers_it() throws Exception {
        KeyPair next = proposeAndCrash();
        try (DeviceClient client = client(next)) {
            // the handshake with the new key promotes it on the server; then the device dies
            assertThat(client.send("/key", Request.newGet()).code()).isEqualTo(ResponseCode.CONTENT);
        }
        assertThat(send(original)).as("the old key is retired now").isNull();

        assertThat(rotator().recover()).isEqualTo(KeyRotator.Result.RECOVERED);
        assertThat(send(DeviceKeys.load(state))).isEqualTo(ResponseCode.CHANGED);
        assertThat(activeKeys()).isEqualTo(1);
    }

    @Test
    void a_device_suspended_after_the_server_promoted_its_new_key_keeps_that_key_and_is_back_when_reinstated()
            throws Exception {
        KeyPair next = proposeAndCrash();
        try (DeviceClient client = client(next)) {
            assertThat(client.send("/key", Request.newGet()).code()).isEqualTo(ResponseCode.CONTENT);
        }
        server.admin("device.suspend", VigilTestServer.args().put("name", "dev-1"));

        // neither key gets through now: the device cannot tell which one the server holds, so it keeps both
        assertThat(rotator().recover()).isEqualTo(KeyRotator.Result.REFUSED);
        assertThat(DeviceKeys.loadNext(state)).isPresent();

        server.admin("device.reinstate", VigilTestServer.args().put("name", "dev-1"));
        assertThat(rotator().recover()).isEqualTo(KeyRotator.Result.RECOVERED);
        assertThat(DeviceKeys.load(state).getPublic()).isEqualTo(next.getPublic());
        assertThat(send(DeviceKeys.load(state))).isEqualTo(ResponseCode.CHANGED);
    }
}
