package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.SenmlCbor;
import dev.vigil.device.gateway.Gateway;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.management.ManagementException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reference gateway ({@code vigil-device gateway}, {@link Gateway}) in front of a real server, all on loopback
 * DTLS: the child list it pulls ({@code GET /gw}), proxy children (libcoap and Californium) authenticated by its own
 * handshake and forwarded on its session, relay children speaking DTLS to the server through it, its own per-child
 * rate limit, and quarantining it.
 */
class GatewayAgentTest {

    private static final CBORMapper CBOR = new CBORMapper();

    private VigilTestServer server;
    private KeyPair gatewayKey;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        gatewayKey = server.addDevice("gw1", "gateway");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        server.close();
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        open.add(0, closeable);
        return closeable;
    }

    private DeviceClient upstream(KeyPair key) {
        return new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000);
    }

    private Gateway gateway(double childRate, double childBurst) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        URI uri = server.deviceUri();
        return closing(new Gateway(new Gateway.Settings(server.scratch("gw1-state"), loopback, loopback,
                new InetSocketAddress(uri.getHost(), uri.getPort()), childRate, childBurst, 3600), gatewayKey,
                upstream(gatewayKey)));
    }

    private KeyPair child(String name, String mode) throws ManagementException {
        KeyPair key = PemFiles.generateP256();
        addChild(name, key, mode);
        return key;
    }

    private void addChild(String name, KeyPair key, String mode) throws ManagementException {
        server.admin("device.add", VigilTestServer.args().put("name", name).put("profile", "sensor").put("via", "gw1")
                .put("mode", mode).put("publicKey", PemFiles.publicKeyPem(key.getPublic())));
    }

    /** A Californium proxy child: DTLS to the gateway, pinning the gateway's key. */
    private DeviceClient proxyChild(Gateway gateway, KeyPair key) {
        return closing(new DeviceClient(URI.create("coaps://127.0.0.1:" + gateway.port()), key,
                gatewayKey.getPublic()).timeout(5_000));
    }

    /** A relay child: its own DTLS to the server (pinning the server's key), sent to the gateway's relay port. */
    private DeviceClient relayChild(Gateway gateway, KeyPair key) {
        return closing(new DeviceClient(URI.create("coaps://127.0.0.1:" + gateway.relayPort()), key,
                server.serverPublicKey()).timeout(5_000));
    }

    private static DeviceClient.Outcome send(DeviceClient client, double value) {
        return client.sendTelemetry(SenmlCbor.encode(Map.of("temp", value)));
    }

    @Test
    void the_child_list_names_each_childs_key_and_mode_and_revalidates_by_etag() throws Exception {
        KeyPair c1 = child("c1", "proxy");
        KeyPair r1 = child("r1", "relay");
        server.addDevice("lone", "sensor");
        try (DeviceClient gw = upstream(gatewayKey); DeviceClient lone = upstream(server.addDevice("gw2", "gateway"))) {
            DeviceClient.Outcome list = gw.send("/gw", Request.newGet());
            assertThat(list.code()).isEqualTo(ResponseCode.CONTENT);
            JsonNode children = CBOR.readTree(list.payload());
            assertThat(children).hasSize(2);
            assertThat(children.get(0).path("name").asText()).isEqualTo("c1");
            assertThat(children.get(0).path("mode").asText()).isEqualTo("proxy");
            assertThat(children.get(0).path("key").asText()).isEqualTo(new RawPublicKeyIdentity(c1.getPublic()).getName());
            assertThat(children.get(1).path("key").asText()).isEqualTo(new RawPublicKeyIdentity(r1.getPublic()).getName());
            byte[] etag = list.options().getETags().get(0);

            Request again = Request.newGet();
            again.getOptions().addETag(etag);
            assertThat(gw.send("/gw", again).code()).as("unchanged").isEqualTo(ResponseCode.VALID);
            child("c2", "proxy");
            Request changed = Request.newGet();
            changed.getOptions().addETag(etag);
            DeviceClient.Outcome fresh = gw.send("/gw", changed);
            assertThat(fresh.code()).isEqualTo(ResponseCode.CONTENT);
            assertThat(CBOR.readTree(fresh.payload())).hasSize(3);
            assertThat(fresh.options().getETags().get(0)).isNotEqualTo(etag);

            assertThat(lone.send("/gw", Request.newGet()).code()).as("a gateway without children")
                    .isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(gw.send("/gw/c1", Request.newGet()).code()).isEqualTo(ResponseCode.NOT_FOUND);
        }
    }

    @Test
    void a_libcoap_proxy_child_through_the_gateway_is_stored_under_its_own_name() throws Exception {
        Assumptions.assumeTrue(onPath("coap-client-gnutls"), "coap-client-gnutls is not installed (libcoap3-bin)");
        Path state = server.scratch("lc1");
        KeyPair key = DeviceKeys.generate(state); // PKCS#8 followed by its PUBLIC KEY block: libcoap reads it
        addChild("lc1", key, "proxy");
        Gateway gateway = gateway(1, 10);

        Process process = new ProcessBuilder("coap-client-gnutls", "-B", "5", "-M",
                state.resolve(DeviceKeys.KEY_FILE).toString(), "-m", "post", "-t", "110", "-e",
                "[{\"n\":\"temp\",\"u\":\"Cel\",\"v\":21.5}]", "coaps://127.0.0.1:" + gateway.port() + "/t")
                .redirectErrorStream(true).start();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();

        JsonNode readings = server.readings("lc1");
        assertThat(readings).as(output).hasSize(1);
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(21.5);
        assertThat(server.readings("gw1")).isEmpty();
    }

    private static boolean onPath(String binary) {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, binary)));
    }

    @Test
    void a_key_not_in_the_child_list_is_refused_by_the_gateways_own_handshake() throws Exception {
        KeyPair relayKey = child("r1", "relay");
        KeyPair c1 = child("c1", "proxy");
        Gateway gateway = gateway(1, 10);
        for (KeyPair stranger : List.of(PemFiles.generateP256(), relayKey)) {
            DeviceClient.Outcome outcome = send(proxyChild(gateway, stranger), 1.0);
            assertThat(outcome.code()).as(outcome.toString()).isNull();
            assertThat(outcome.failure()).contains("refused the DTLS handshake (bad_certificate)");
        }
        assertThat(send(proxyChild(gateway, c1), 2.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(server.readings("c1")).hasSize(1);
        assertThat(server.readings("r1")).isEmpty();
    }

    @Test
    void a_relay_child_is_authenticated_by_its_own_key_through_the_relay_port() throws Exception {
        KeyPair r1 = child("r1", "relay");
        Gateway gateway = gateway(1, 10);
        DeviceClient relayed = relayChild(gateway, r1);
        assertThat(send(relayed, 7.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(server.readings("r1")).hasSize(1);
        DeviceClient stranger = relayChild(gateway, PemFiles.generateP256());
        DeviceClient.Outcome refused = send(stranger, 8.0);
        assertThat(refused.code()).as("an unknown key through the relay meets the server's own checks")
                .isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(server.readings("gw1")).isEmpty();
    }

    @Test
    void quarantining_the_gateway_refuses_its_proxied_child_while_the_relay_child_keeps_working() throws Exception {
        KeyPair c1 = child("c1", "proxy");
        KeyPair r1 = child("r1", "relay");
        Gateway gateway = gateway(1, 10);
        DeviceClient proxied = proxyChild(gateway, c1);
        DeviceClient relayed = relayChild(gateway, r1);
        assertThat(send(proxied, 1.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(send(relayed, 1.0).code()).isEqualTo(ResponseCode.CHANGED);

        server.admin("device.quarantine", VigilTestServer.args().put("name", "gw1"));
        assertThat(send(proxied, 2.0).code()).isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(send(relayed, 2.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(gateway.pull()).as("nor does it get its child list").startsWith("4.03");
        assertThat(gateway.children().children()).as("the last list is kept").hasSize(2);

        assertThat(server.readings("c1")).hasSize(1);
        assertThat(server.readings("r1")).hasSize(2);
    }

    @Test
    void a_child_over_the_gateways_rate_gets_4_29_from_the_gateway_while_its_sibling_passes() throws Exception {
        KeyPair c1 = child("c1", "proxy");
        KeyPair c2 = child("c2", "proxy");
        Gateway gateway = gateway(0.01, 2);
        DeviceClient first = proxyChild(gateway, c1);
        DeviceClient second = proxyChild(gateway, c2);
        assertThat(send(first, 1.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(send(first, 2.0).code()).isEqualTo(ResponseCode.CHANGED);
        DeviceClient.Outcome limited = send(first, 3.0);
        assertThat(limited.code()).isEqualTo(ResponseCode.TOO_MANY_REQUESTS);
        assertThat(limited.options().getMaxAge()).isGreaterThanOrEqualTo(1);
        assertThat(send(second, 1.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(server.readings("c1")).hasSize(2);
        assertThat(server.readings("c2")).hasSize(1);
        gateway.pull();
        DeviceCliRun status = DeviceCliRun.vigilDevice("status", "--state", server.scratch("gw1-state").toString());
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("children        c1 (proxy), c2 (proxy)")
                .contains("requests        3 forwarded, 1 refused by the gateway").contains("2.03 unchanged");
    }
}
