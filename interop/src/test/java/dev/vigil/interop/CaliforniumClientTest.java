package dev.vigil.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.server.VigilConfig;
import dev.vigil.server.VigilTestServer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A plain Eclipse Californium 3.14 client ({@link CaliforniumPeer}: CoapClient over a Scandium connector
 * built in the test, keys from the JDK) against a real Vigil node: the same cases as libcoap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CaliforniumClientTest {

    private VigilTestServer server;

    @BeforeAll
    void start() {
        server = VigilTestServer.start();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static CaliforniumPeer peer(VigilTestServer on, KeyPair key) {
        return new CaliforniumPeer(on.deviceUri(), key, on.serverPublicKey());
    }

    /** A fresh key registered as {@code name} (ACTIVE from its first handshake). */
    private static KeyPair registered(VigilTestServer on, String name) throws Exception {
        KeyPair key = Fixtures.p256();
        on.addDevice(name, key.getPublic(), "sensor");
        return key;
    }

    private static byte[] json(double value) {
        return Fixtures.senmlJson(value).getBytes(StandardCharsets.UTF_8);
    }

    // --- discovery

    @Test
    void discovery_by_an_unknown_key_lists_only_enroll() {
        try (CaliforniumPeer peer = peer(server, Fixtures.p256())) {
            CaliforniumPeer.Reply reply = peer.get("/.well-known/core", Type.CON);

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CONTENT);
            assertThat(Fixtures.links(reply.text())).containsExactly("/enroll");
        }
    }

    @Test
    void discovery_by_an_active_device_lists_t_and_key_but_not_enroll() throws Exception {
        try (CaliforniumPeer peer = peer(server, registered(server, Fixtures.name("cf-disc")))) {
            CaliforniumPeer.Reply reply = peer.get("/.well-known/core", Type.CON);

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CONTENT);
            assertThat(Fixtures.links(reply.text())).contains("/t", "/key").doesNotContain("/enroll");
        }
    }

    // --- telemetry: SenML JSON and CBOR, CON and NON

    @Test
    void senml_json_con_post_is_acknowledged_and_stored() throws Exception {
        String name = Fixtures.name("cf-json-con");
        try (CaliforniumPeer peer = peer(server, registered(server, name))) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_JSON, json(21.5));

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CHANGED);
            assertThat(reply.response().getType()).isEqualTo(Type.ACK);
        }
        JsonNode readings = server.readings(name);
        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).path("unit").asText()).isEqualTo("Cel");
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(21.5);
    }

    @Test
    void senml_json_non_post_is_answered_non_and_stored() throws Exception {
        String name = Fixtures.name("cf-json-non");
        try (CaliforniumPeer peer = peer(server, registered(server, name))) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.NON, Fixtures.SENML_JSON, json(-3.5));

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CHANGED);
            assertThat(reply.response().getType()).isEqualTo(Type.NON);
        }
        assertThat(server.readings(name)).singleElement().satisfies(r -> assertThat(r.path("v").asDouble()).isEqualTo(-3.5));
    }

    @Test
    void senml_cbor_con_post_is_acknowledged_and_stored() throws Exception {
        String name = Fixtures.name("cf-cbor-con");
        try (CaliforniumPeer peer = peer(server, registered(server, name))) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_CBOR, Fixtures.SENML_CBOR_22_5);

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CHANGED);
            assertThat(reply.response().getType()).isEqualTo(Type.ACK);
        }
        JsonNode readings = server.readings(name);
        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).path("name").asText()).isEqualTo("lc:temp");
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(22.5);
    }

    @Test
    void senml_cbor_non_post_is_answered_non_and_stored() throws Exception {
        String name = Fixtures.name("cf-cbor-non");
        try (CaliforniumPeer peer = peer(server, registered(server, name))) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.NON, Fixtures.SENML_CBOR, Fixtures.SENML_CBOR_7_25);

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CHANGED);
            assertThat(reply.response().getType()).isEqualTo(Type.NON);
        }
        assertThat(server.readings(name)).singleElement().satisfies(r -> assertThat(r.path("v").asDouble()).isEqualTo(7.25));
    }

    // --- unknown keys: a handshake, but only enrollment

    @Test
    void an_unregistered_key_completes_the_handshake_but_its_post_is_4_03_and_nothing_is_stored() throws Exception {
        String bystander = Fixtures.name("cf-bystander");
        server.addDevice(bystander, Fixtures.p256().getPublic(), "sensor");
        int devices = server.admin("device.list", VigilTestServer.args()).path("devices").size();

        try (CaliforniumPeer peer = peer(server, Fixtures.p256())) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_JSON, json(99));

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(reply.text()).as("a bare 4.03, no detail").isEmpty();
        }
        assertThat(server.readings(bystander)).isEmpty();
        assertThat(server.admin("device.list", VigilTestServer.args()).path("devices")).hasSize(devices);
    }

    @Test
    void a_token_enrolls_a_fresh_key_which_then_sends_telemetry_and_a_spent_token_is_4_03() throws Exception {
        String name = Fixtures.name("cf-enrolled");
        String token = Fixtures.token(server, name);
        byte[] body = ("{\"token\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8);

        try (CaliforniumPeer peer = peer(server, Fixtures.p256())) {
            CaliforniumPeer.Reply enroll = peer.post("/enroll", Type.CON, Fixtures.JSON, body);

            assertThat(enroll.code()).as(enroll.toString()).isEqualTo(ResponseCode.CREATED);
            assertThat(enroll.response().getOptions().getContentFormat()).isEqualTo(Fixtures.JSON);
            JsonNode created = new ObjectMapper().readTree(enroll.text());
            assertThat(created.path("name").asText()).isEqualTo(name);
            assertThat(created.path("profile").asText()).isEqualTo("sensor");
            assertThat(Fixtures.state(server, name)).isEqualTo("ACTIVE");

            // same session: the key is now a device's, so /t is open to it
            CaliforniumPeer.Reply telemetry = peer.post("/t", Type.CON, Fixtures.SENML_CBOR, Fixtures.SENML_CBOR_22_5);
            assertThat(telemetry.code()).as(telemetry.toString()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.readings(name)).hasSize(1);

        try (CaliforniumPeer late = peer(server, Fixtures.p256())) {
            assertThat(late.post("/enroll", Type.CON, Fixtures.JSON, body).code()).isEqualTo(ResponseCode.FORBIDDEN);
        }
    }

    // --- decommissioned keys: refused at the handshake

    @Test
    void a_decommissioned_key_is_refused_at_the_handshake_with_bad_certificate_and_an_event_is_recorded()
            throws Exception {
        String name = Fixtures.name("cf-doomed");
        KeyPair key = registered(server, name);
        try (CaliforniumPeer peer = peer(server, key)) {
            assertThat(peer.post("/t", Type.CON, Fixtures.SENML_JSON, json(1)).code()).isEqualTo(ResponseCode.CHANGED);
        }
        server.admin("device.decommission", VigilTestServer.args().put("name", name));

        try (CaliforniumPeer peer = peer(server, key)) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_JSON, json(2));

            assertThat(reply.response()).isNull();
            assertThat(reply.alert()).as(String.valueOf(reply.error())).isEqualTo(AlertDescription.BAD_CERTIFICATE);
        }
        assertThat(server.readings(name)).hasSize(1);
        assertThat(Fixtures.events(server, "tombstoned-key-seen", name)).isNotEmpty();
    }

    // --- session lifetime

    /**
     * Californium, unlike libcoap 4.3.1, carries on after the server's close_notify: the next request of the
     * same client starts a new full handshake by itself (the old session is not resumed).
     */
    @Test
    void after_the_session_lifetime_the_next_request_runs_a_full_handshake_and_succeeds() throws Exception {
        try (VigilTestServer node = VigilTestServer.start(
                config -> config.set(VigilConfig.SESSION_MAX_LIFETIME, 2, TimeUnit.SECONDS))) {
            String name = Fixtures.name("cf-expiry");
            try (CaliforniumPeer peer = peer(node, registered(node, name))) {
                assertThat(peer.post("/t", Type.CON, Fixtures.SENML_JSON, json(1)).code()).isEqualTo(ResponseCode.CHANGED);
                long handshakes = node.node().fullDeviceHandshakes();
                assertThat(peer.post("/t", Type.CON, Fixtures.SENML_JSON, json(2)).code()).isEqualTo(ResponseCode.CHANGED);
                assertThat(node.node().fullDeviceHandshakes()).as("a young session is reused").isEqualTo(handshakes);

                Thread.sleep(3_000); // the 2 s lifetime (plus a 200 ms sweep, plus slack for a busy machine) must pass

                CaliforniumPeer.Reply late = peer.post("/t", Type.CON, Fixtures.SENML_JSON, json(3));
                assertThat(late.code()).as(late.toString()).isEqualTo(ResponseCode.CHANGED);
                assertThat(node.node().fullDeviceHandshakes()).as("a new full handshake").isEqualTo(handshakes + 1);
            }
            assertThat(node.readings(name)).hasSize(3);
        }
    }

    // --- the two RFC 7925 cipher suites

    @Test
    void a_post_succeeds_when_the_server_offers_only_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8() throws Exception {
        postWithOnly(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
    }

    @Test
    void a_post_succeeds_when_the_server_offers_only_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256() throws Exception {
        postWithOnly(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    }

    private void postWithOnly(CipherSuite suite) throws Exception {
        try (VigilTestServer node = VigilTestServer.start(
                config -> config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, suite))) {
            String name = Fixtures.name("cf-suite");
            try (CaliforniumPeer peer = peer(node, registered(node, name))) { // offers both suites
                CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_JSON, json(12));

                assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CHANGED);
                assertThat(reply.cipherSuite()).isEqualTo(suite.name());
            }
            assertThat(node.readings(name)).hasSize(1);
        }
    }
}
