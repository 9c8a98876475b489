package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.Enrollment;
import dev.vigil.device.SenmlCbor;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Token enrollment over real DTLS: an unknown key may only enroll. */
class EnrollmentTest {

    private VigilTestServer server;

    @BeforeEach
    void start() {
        server = VigilTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private String token(String profile, String name, int ttlSeconds) throws Exception {
        var args = VigilTestServer.args().put("profile", profile).put("ttlSeconds", ttlSeconds).put("uses", 1);
        if (name != null) {
            args.put("name", name);
        }
        return server.admin("token.create", args).path("token").asText();
    }

    private Path device(String name) throws Exception {
        Path state = server.scratch(name);
        DeviceKeys.generate(state);
        return state;
    }

    private DeviceClient.Outcome enroll(Path state, String token) throws Exception {
        return Enrollment.enroll(state, server.deviceUri(), server.dataDir().serverPublicKey(), token, 10_000);
    }

    private DeviceClient client(Path state) throws Exception {
        return new DeviceClient(server.deviceUri(), DeviceKeys.load(state), server.serverPublicKey()).timeout(10_000);
    }

    @Test
    void a_token_enrolls_a_fresh_key_which_can_then_send_telemetry() throws Exception {
        Path state = device("fresh");
        DeviceClient.Outcome outcome = enroll(state, token("sensor", "field-1", 3600));

        assertThat(outcome.code()).isEqualTo(ResponseCode.CREATED);
        assertThat(Enrollment.read(state)).isEqualTo(new Enrollment.Result("field-1", "sensor", "ACTIVE"));
        try (DeviceClient client = client(state)) {
            assertThat(client.sendTelemetry(SenmlCbor.encode(Map.of("temp", 1.0))).code())
                    .isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.readings("field-1")).hasSize(1);
    }

    @Test
    void reused_expired_and_forged_tokens_are_refused_with_4_03_and_an_event() throws Exception {
        String once = token("sensor", null, 3600);
        assertThat(enroll(device("first"), once).code()).isEqualTo(ResponseCode.CREATED);
        assertThat(enroll(device("second"), once).code()).as("reused").isEqualTo(ResponseCode.FORBIDDEN);

        String shortLived = token("sensor", null, 1);
        Thread.sleep(1100); // the token's lifetime must pass: the absence of validity is what is tested
        assertThat(enroll(device("late"), shortLived).code()).as("expired").isEqualTo(ResponseCode.FORBIDDEN);

        assertThat(enroll(device("forger"), "vgt_AAAAAAAAAAAAAAAAAAAAAA").code()).as("forged")
                .isEqualTo(ResponseCode.FORBIDDEN);

        JsonNode events = server.admin("events", VigilTestServer.args()).path("events");
        assertThat(events.findValuesAsText("type")).filteredOn("enrollment-refused"::equals).hasSize(3);
        assertThat(events.findValuesAsText("detail")).contains("enrollment token already used",
                "enrollment token expired", "unknown enrollment token");
        assertThat(server.admin("device.list", VigilTestServer.args()).path("devices")).hasSize(1);
    }

    @Test
    void an_unknown_key_can_reach_nothing_but_enroll() throws Exception {
        Path state = device("stranger");
        try (DeviceClient client = client(state)) {
            assertThat(client.sendTelemetry(SenmlCbor.encode(Map.of("temp", 1.0))).code())
                    .isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(client.send("/key", Request.newGet()).code()).isEqualTo(ResponseCode.FORBIDDEN);
            DeviceClient.Outcome discovery = client.send("/.well-known/core", Request.newGet());
            assertThat(discovery.code()).isEqualTo(ResponseCode.CONTENT);
            assertThat(new String(discovery.payload())).contains("</enroll>").doesNotContain("</t>")
                    .doesNotContain("</key>");
        }
    }

    @Test
    void a_device_whose_2_01_was_lost_enrolls_again_with_the_same_answer_and_no_token_spent() throws Exception {
        Path state = device("lost-answer");
        String token = token("sensor", "field-2", 3600);
        assertThat(enroll(state, token).code()).isEqualTo(ResponseCode.CREATED);
        java.nio.file.Files.delete(state.resolve(Enrollment.RESULT_FILE)); // as if the 2.01 never arrived

        DeviceClient.Outcome again = enroll(state, token);

        assertThat(again.code()).as("the spent token, from the key it enrolled").isEqualTo(ResponseCode.CREATED);
        assertThat(Enrollment.read(state)).isEqualTo(new Enrollment.Result("field-2", "sensor", "ACTIVE"));
        assertThat(enroll(device("other"), token).code()).as("the spent token from another key")
                .isEqualTo(ResponseCode.FORBIDDEN);
        String other = token("sensor", null, 3600);
        assertThat(enroll(state, other).code()).isEqualTo(ResponseCode.CREATED);
        assertThat(server.admin("device.list", VigilTestServer.args()).path("devices")).hasSize(1);
        assertThat(enroll(device("third"), other).code()).as("a token an enrolled key showed again is not spent")
                .isEqualTo(ResponseCode.CREATED);
    }

    @Test
    void an_active_device_discovers_its_resources_but_not_enroll() throws Exception {
        var key = server.addDevice("s1", "sensor");
        try (DeviceClient client = new DeviceClient(server.deviceUri(), key, server.serverPublicKey())) {
            String links = new String(client.send("/.well-known/core", Request.newGet()).payload());
            assertThat(links).contains("</t>").contains("</key>").doesNotContain("</enroll>");
        }
    }

    @Test
    void an_enrollment_body_without_a_text_token_is_4_00_and_no_security_event() throws Exception {
        int events = server.admin("events", VigilTestServer.args()).path("events").size();
        Path state = device("malformed");
        try (DeviceClient client = client(state)) {
            for (String body : new String[] {"{\"token\": 5}", "{}", "{\"token\": null}", "[\"vgt_x\"]"}) {
                Request request = Request.newPost();
                request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
                request.setPayload(body);
                assertThat(client.send("/enroll", request).code()).as(body).isEqualTo(ResponseCode.BAD_REQUEST);
            }
        }
        assertThat(server.admin("events", VigilTestServer.args()).path("events")).hasSize(events);
        assertThat(server.admin("device.list", VigilTestServer.args()).path("devices")).isEmpty();
    }
}
