package dev.vigil.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.device.DeviceKeys;
import dev.vigil.server.VigilConfig;
import dev.vigil.server.VigilTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * libcoap's {@code coap-client-gnutls} 4.3.1 as the device, a separate process per request run, against a
 * real Vigil node. Its key file is the one {@code DeviceKeys.generate} writes (PKCS#8 + PUBLIC KEY, what
 * {@code -M} reads). {@code -v 6} makes it log each response line ({@code v:1 t:ACK c:2.04 ...}), which is
 * what the assertions read; {@code -o FILE} keeps the response payload apart from that log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibcoapClientTest {

    private VigilTestServer server;

    @BeforeAll
    void start() {
        if (Libcoap.present(Libcoap.CLIENT)) {
            server = VigilTestServer.start();
        }
    }

    @BeforeEach
    void requireLibcoap() {
        Libcoap.requireClient();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** A fresh libcoap key file nobody registered. */
    private static Path unknownKey(VigilTestServer on) throws Exception {
        Path state = on.scratch(Fixtures.name("stranger"));
        DeviceKeys.generate(state);
        return state.resolve(DeviceKeys.KEY_FILE);
    }

    /** A libcoap key file registered (and so ACTIVE at its first handshake) as {@code name}. */
    private static Path registeredKey(VigilTestServer on, String name) throws Exception {
        Path state = on.scratch(name);
        KeyPair key = DeviceKeys.generate(state);
        on.addDevice(name, key.getPublic(), "sensor");
        return state.resolve(DeviceKeys.KEY_FILE);
    }

    /** One coap-client run with {@code key}, waiting at most 5 s for answers, logging responses. */
    private static Libcoap.Run coap(Path key, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-B", "5", "-v", "6", "-M", key.toString()));
        all.addAll(List.of(args));
        return Libcoap.client(all.toArray(String[]::new));
    }

    private static String uri(VigilTestServer on, String path) {
        return on.deviceUri() + path;
    }

    private Path output(String name) throws Exception {
        return server.scratch("out").resolve(Fixtures.name(name));
    }

    private static Path file(VigilTestServer on, byte[] content) throws Exception {
        Path file = on.scratch("payloads").resolve(Fixtures.name("payload"));
        Files.write(file, content);
        return file;
    }

    // --- discovery

    // --- block-wise (RFC 7959): libcoap fetches a firmware image in 256-byte blocks

    @Test
    void libcoap_fetches_the_offered_firmware_image_block_wise_and_it_is_whole() throws Exception {
        String name = Fixtures.name("lc-fw");
        Path state = server.scratch(name);
        KeyPair key = DeviceKeys.generate(state);
        server.addDevice(name, key.getPublic(), "sensor");
        KeyPair signer = dev.vigil.provisioning.keys.PemFiles.generateP256();
        server.admin("firmware.key.add", VigilTestServer.args().put("name", Fixtures.name("signer"))
                .put("publicKey", dev.vigil.provisioning.keys.PemFiles.publicKeyPem(signer.getPublic())));
        byte[] image = new byte[20_000];
        new java.util.Random(7).nextBytes(image);
        String version = "9.0." + (System.nanoTime() % 1000);
        byte[] manifest = dev.vigil.provisioning.firmware.FirmwareManifest.of(image, System.nanoTime(), "interop",
                name, version).encode();
        server.admin("firmware.publish", VigilTestServer.args()
                .put("manifest", java.util.Base64.getEncoder().encodeToString(
                        dev.vigil.provisioning.firmware.CoseSign1.sign(manifest, signer.getPrivate())))
                .put("image", java.util.Base64.getEncoder().encodeToString(image)));
        // only this device: a profile of its own would be cleaner; a 100 % wave of sensors reaches it
        server.admin("firmware.rollout", VigilTestServer.args().put("version", version).put("profile", "sensor")
                .put("waves", "100"));
        Path out = output("image");
        Libcoap.Run run = coap(state.resolve(DeviceKeys.KEY_FILE), "-b", "256", "-o", out.toString(),
                uri(server, "/fw/image"));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(image);
    }

    // --- observe (ETSI TD_COAP_OBS_01/02): a command delivered to libcoap observing /cmd

    @Test
    void libcoap_observing_cmd_gets_a_command_queued_while_it_observes() throws Exception {
        String name = Fixtures.name("lc-obs");
        Path state = server.scratch(name);
        KeyPair key = DeviceKeys.generate(state);
        server.addDevice(name, key.getPublic(), "actuator");
        Path out = output("cmd");
        java.util.concurrent.CompletableFuture<Libcoap.Run> observing = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return coap(state.resolve(DeviceKeys.KEY_FILE), "-s", "4", "-A", "50", "-o", out.toString(),
                                uri(server, "/cmd"));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(4);
        while (!Files.exists(out) && System.nanoTime() < deadline) { // the first answer: the observation stands
            Thread.sleep(50);
        }
        long id = server.admin("command.send", VigilTestServer.args().put("name", name).put("command", "on"))
                .path("id").asLong();
        Libcoap.Run run = observing.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(Files.readString(out)).as("the notification with the command").contains("\"id\":" + id)
                .contains("\"command\":\"on\"");
    }

    @Test
    void discovery_by_an_unknown_key_lists_only_enroll() throws Exception {
        Path out = output("links");
        Libcoap.Run run = coap(unknownKey(server), "-o", out.toString(), uri(server, "/.well-known/core"));

        assertThat(run.codes()).as(run.output()).containsExactly("2.05");
        assertThat(Fixtures.links(Files.readString(out))).containsExactly("/enroll");
    }

    @Test
    void discovery_by_an_active_device_lists_t_and_key_but_not_enroll() throws Exception {
        Path out = output("links");
        Libcoap.Run run = coap(registeredKey(server, Fixtures.name("lc-disc")), "-o", out.toString(),
                uri(server, "/.well-known/core"));

        assertThat(run.codes()).as(run.output()).containsExactly("2.05");
        assertThat(Fixtures.links(Files.readString(out))).contains("/t", "/key").doesNotContain("/enroll");
    }

    // --- telemetry: SenML JSON and CBOR, CON and NON

    @Test
    void senml_json_con_post_is_acknowledged_and_stored() throws Exception {
        String name = Fixtures.name("lc-json-con");
        Libcoap.Run run = coap(registeredKey(server, name), "-m", "post", "-t", "110", "-e", Fixtures.senmlJson(21.5),
                uri(server, "/t"));

        assertThat(run.responses()).as(run.output()).singleElement()
                .satisfies(r -> assertThat(r.type() + " " + r.code()).isEqualTo("ACK 2.04"));
        JsonNode readings = server.readings(name);
        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).path("name").asText()).isEqualTo("temp");
        assertThat(readings.get(0).path("unit").asText()).isEqualTo("Cel");
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(21.5);
    }

    @Test
    void senml_json_non_post_is_answered_non_and_stored() throws Exception {
        String name = Fixtures.name("lc-json-non");
        Libcoap.Run run = coap(registeredKey(server, name), "-N", "-m", "post", "-t", "110", "-e",
                Fixtures.senmlJson(-3.5), uri(server, "/t"));

        assertThat(run.responses()).as(run.output()).singleElement()
                .satisfies(r -> assertThat(r.type() + " " + r.code()).isEqualTo("NON 2.04"));
        JsonNode readings = server.readings(name);
        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(-3.5);
    }

    @Test
    void senml_cbor_con_post_is_acknowledged_and_stored() throws Exception {
        String name = Fixtures.name("lc-cbor-con");
        Path pack = file(server, Fixtures.SENML_CBOR_22_5);
        Libcoap.Run run = coap(registeredKey(server, name), "-m", "post", "-t", "112", "-f", pack.toString(),
                uri(server, "/t"));

        assertThat(run.responses()).as(run.output()).singleElement()
                .satisfies(r -> assertThat(r.type() + " " + r.code()).isEqualTo("ACK 2.04"));
        JsonNode readings = server.readings(name);
        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).path("name").asText()).isEqualTo("lc:temp");
        assertThat(readings.get(0).path("unit").asText()).isEqualTo("Cel");
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(22.5);
    }

    @Test
    void senml_cbor_non_post_is_answered_non_and_stored() throws Exception {
        String name = Fixtures.name("lc-cbor-non");
        Path pack = file(server, Fixtures.SENML_CBOR_7_25);
        Libcoap.Run run = coap(registeredKey(server, name), "-N", "-m", "post", "-t", "112", "-f", pack.toString(),
                uri(server, "/t"));

        assertThat(run.responses()).as(run.output()).singleElement()
                .satisfies(r -> assertThat(r.type() + " " + r.code()).isEqualTo("NON 2.04"));
        JsonNode readings = server.readings(name);
        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).path("name").asText()).isEqualTo("lc:temp");
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(7.25);
    }

    // --- unknown keys: a handshake, but only enrollment

    @Test
    void an_unregistered_key_completes_the_handshake_but_its_post_is_4_03_and_nothing_is_stored() throws Exception {
        String bystander = Fixtures.name("lc-bystander");
        server.addDevice(bystander, Fixtures.p256().getPublic(), "sensor");
        int devices = server.admin("device.list", VigilTestServer.args()).path("devices").size();

        Libcoap.Run run = coap(unknownKey(server), "-m", "post", "-t", "110", "-e", Fixtures.senmlJson(99),
                uri(server, "/t"));

        assertThat(run.output()).doesNotContain("Alert");
        assertThat(run.codes()).as(run.output()).containsExactly("4.03");
        assertThat(server.readings(bystander)).isEmpty();
        assertThat(server.admin("device.list", VigilTestServer.args()).path("devices")).hasSize(devices);
    }

    @Test
    void a_token_enrolls_a_fresh_key_which_then_sends_telemetry_and_a_spent_token_is_4_03() throws Exception {
        String name = Fixtures.name("lc-enrolled");
        String token = Fixtures.token(server, name);
        Path key = unknownKey(server);
        Path out = output("enroll");

        Libcoap.Run enroll = coap(key, "-m", "post", "-t", "50", "-e", "{\"token\":\"" + token + "\"}",
                "-o", out.toString(), uri(server, "/enroll"));

        assertThat(enroll.codes()).as(enroll.output()).containsExactly("2.01");
        JsonNode body = new ObjectMapper().readTree(Files.readString(out, StandardCharsets.UTF_8));
        assertThat(body.path("name").asText()).isEqualTo(name);
        assertThat(body.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(Fixtures.state(server, name)).isEqualTo("ACTIVE");

        Libcoap.Run telemetry = coap(key, "-m", "post", "-t", "110", "-e", Fixtures.senmlJson(4.5), uri(server, "/t"));
        assertThat(telemetry.codes()).as(telemetry.output()).containsExactly("2.04");
        assertThat(server.readings(name)).hasSize(1);

        Libcoap.Run spent = coap(unknownKey(server), "-m", "post", "-t", "50", "-e", "{\"token\":\"" + token + "\"}",
                uri(server, "/enroll"));
        assertThat(spent.codes()).as(spent.output()).containsExactly("4.03");
    }

    // --- decommissioned keys: refused at the handshake

    @Test
    void a_decommissioned_key_is_refused_at_the_handshake_with_bad_certificate_and_an_event_is_recorded()
            throws Exception {
        String name = Fixtures.name("lc-doomed");
        Path key = registeredKey(server, name);
        assertThat(coap(key, "-m", "post", "-t", "110", "-e", Fixtures.senmlJson(1), uri(server, "/t")).codes())
                .containsExactly("2.04");
        server.admin("device.decommission", VigilTestServer.args().put("name", name));

        Libcoap.Run run = coap(key, "-m", "post", "-t", "110", "-e", Fixtures.senmlJson(2), uri(server, "/t"));

        assertThat(run.output()).contains("Alert '42'"); // bad_certificate, from the server
        assertThat(run.codes()).as("no CoAP response at all").isEmpty();
        assertThat(server.readings(name)).hasSize(1);
        assertThat(Fixtures.events(server, "tombstoned-key-seen", name)).isNotEmpty();
    }

    // --- session lifetime

    /**
     * What libcoap 4.3.1 does when Vigil ends its session: {@code -G 5} asks for five POSTs one second
     * apart over one DTLS session. The server's lifetime sweep sends close_notify after 2.5 s; coap-client
     * then logs "session disconnected" (debug level only), does not reconnect, silently drops the requests
     * it had not sent yet and exits 0. Only a new run (a new full handshake) sends again. The lifetime is
     * 2.5 s, not 2 s, because -G's fixed one-second spacing would put the third request exactly on a 2 s
     * boundary, racing the sweep.
     */
    @Test
    void after_the_session_lifetime_coap_client_stops_sending_in_that_run_and_a_new_run_handshakes_again()
            throws Exception {
        try (VigilTestServer node = VigilTestServer.start(
                config -> config.set(VigilConfig.SESSION_MAX_LIFETIME, 2500, TimeUnit.MILLISECONDS))) {
            String name = Fixtures.name("lc-expiry");
            Path key = registeredKey(node, name);
            long handshakes = node.node().fullDeviceHandshakes();

            Libcoap.Run run = coap(key, "-G", "5", "-m", "post", "-t", "110", "-e", Fixtures.senmlJson(1),
                    uri(node, "/t"));

            assertThat(run.codes()).as(run.output()).containsExactly("2.04", "2.04", "2.04");
            assertThat(run.exitCode()).as("coap-client reports nothing wrong").isZero();
            assertThat(run.millis()).as("the run ends at the cut, not after 5 requests").isLessThan(4_000);
            assertThat(node.readings(name)).hasSize(3);
            assertThat(node.node().fullDeviceHandshakes()).isEqualTo(handshakes + 1);

            Libcoap.Run next = coap(key, "-m", "post", "-t", "110", "-e", Fixtures.senmlJson(2), uri(node, "/t"));

            assertThat(next.codes()).as(next.output()).containsExactly("2.04");
            assertThat(node.node().fullDeviceHandshakes()).as("a new full handshake").isEqualTo(handshakes + 2);
            assertThat(node.readings(name)).hasSize(4);
        }
    }

    // --- the two RFC 7925 cipher suites

    @Test
    void a_post_succeeds_when_the_server_offers_only_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8() throws Exception {
        postWithOnly(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, "GNUTLS_ECDHE_ECDSA_AES_128_CCM_8");
    }

    @Test
    void a_post_succeeds_when_the_server_offers_only_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256() throws Exception {
        postWithOnly(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "GNUTLS_ECDHE_ECDSA_AES_128_GCM_SHA256");
    }

    private void postWithOnly(CipherSuite suite, String gnutlsName) throws Exception {
        try (VigilTestServer node = VigilTestServer.start(
                config -> config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, suite))) {
            String name = Fixtures.name("lc-suite");
            // -v 9 turns on GnuTLS's own log, which names the suite the server selected
            List<String> args = List.of("-B", "5", "-v", "9", "-M", registeredKey(node, name).toString(), "-m", "post",
                    "-t", "110", "-e", Fixtures.senmlJson(12), uri(node, "/t"));
            Libcoap.Run run = Libcoap.client(args.toArray(String[]::new));

            assertThat(run.output()).contains("Selected cipher suite: " + gnutlsName);
            assertThat(run.codes()).containsExactly("2.04");
            assertThat(node.readings(name)).hasSize(1);
        }
    }
}
