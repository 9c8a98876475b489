package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.device.gateway.Gateway;
import dev.vigil.device.oscore.OscoreChild;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.management.ManagementException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.MessageDeliverer;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OSCORE children (RFC 8613) end to end on loopback: the child ({@link OscoreChild}) protects its request with the
 * context made at registration, the reference gateway forwards it by kid on its own DTLS session, the server
 * verifies it with the child's context and stores it under the child's name. A rogue gateway (a plain client
 * holding the gateway's key) that alters or replays a captured request is refused; so is every OSCORE child of a
 * quarantined gateway, and a child whose profile demands relay.
 */
class OscoreGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            {"profiles": {
              "sensor": {"send": [{"resource": "t", "methods": ["POST"], "formats": [110, 112], "maxPayload": 1024,
                                   "rate": {"perSecond": 1, "burst": 10}}]},
              "gateway": {"send": [{"resource": "t", "methods": ["POST"], "formats": [110, 112], "maxPayload": 16384,
                                    "rate": {"perSecond": 50, "burst": 200}}]},
              "metered": {"send": [{"resource": "t", "methods": ["POST"], "formats": [112], "maxPayload": 64,
                                    "rate": {"perSecond": 0.01, "burst": 2}}]},
              "vault": {"send": [{"resource": "t", "methods": ["POST"], "formats": [112], "maxPayload": 64,
                                  "rate": {"perSecond": 1, "burst": 10}}], "childAuth": "relay"},
              "plain": {"send": [{"resource": "t", "methods": ["POST"], "formats": [112], "maxPayload": 64,
                                  "rate": {"perSecond": 1, "burst": 10}}]%s}
             },
             "roles": {"admin": {"operations": ["*"]}}}
            """;

    private VigilTestServer server;
    private KeyPair gatewayKey;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        applyPolicy("");
        gatewayKey = server.addDevice("gw1", "gateway");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        server.close();
    }

    private void applyPolicy(String plainExtra) throws ManagementException {
        assertThat(server.admin("policy.apply", VigilTestServer.args().put("document", POLICY.formatted(plainExtra)))
                .path("valid").asBoolean()).isTrue();
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        open.add(0, closeable);
        return closeable;
    }

    /** Registers an OSCORE child of gw1 and writes its side of the context as the CLI does; returns the file. */
    private Path oscoreChild(String name, String profile) throws Exception {
        JsonNode added = server.admin("device.add", VigilTestServer.args().put("name", name).put("profile", profile)
                .put("via", "gw1").put("mode", "oscore")); // no key pair: the registry holds one nobody has
        assertThat(added.path("mode").asText()).isEqualTo("oscore");
        Path file = server.scratch(name).resolve("oscore.json");
        Files.write(file, JSON.writeValueAsBytes(added.get("oscore")));
        return file;
    }

    private DeviceClient upstream() {
        return closing(new DeviceClient(server.deviceUri(), gatewayKey, server.serverPublicKey()).timeout(5_000));
    }

    private Gateway gateway() throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        URI uri = server.deviceUri();
        return closing(new Gateway(new Gateway.Settings(server.scratch("gw1-state"), loopback, null,
                new InetSocketAddress(uri.getHost(), uri.getPort()), 50, 100, 3600, loopback), gatewayKey,
                upstream()));
    }

    private OscoreChild child(Path context, int port) throws IOException {
        return closing(new OscoreChild(context, URI.create("coap://127.0.0.1:" + port)).timeout(5_000));
    }

    private static OscoreChild.Answer send(OscoreChild child, double value) throws IOException {
        return child.post("/t", SenmlCbor.encode(Map.of("temp", value)));
    }

    private List<String> events(String type) throws ManagementException {
        List<String> found = new ArrayList<>();
        for (JsonNode event : server.admin("events", VigilTestServer.args().put("limit", 1000)).path("events")) {
            if (event.path("type").asText().equals(type)) {
                found.add(event.path("subject").asText() + ": " + event.path("detail").asText());
            }
        }
        return found;
    }

    @Test
    void an_oscore_child_through_the_reference_gateway_is_stored_under_its_own_name() throws Exception {
        Path context = oscoreChild("o1", "sensor");
        Gateway gateway = gateway();
        assertThat(gateway.children().oscoreByKid(JSON.readTree(context.toFile()).path("senderId").asText()))
                .as("the child list names it by kid").isPresent();
        OscoreChild child = child(context, gateway.oscorePort());
        OscoreChild.Answer answer = send(child, 21.5);
        assertThat(answer.code()).as("the server's protected answer, verified by the child")
                .isEqualTo(ResponseCode.CHANGED);
        assertThat(send(child, 22.5).code()).isEqualTo(ResponseCode.CHANGED);

        DeviceCliRun cli = DeviceCliRun.vigilDevice("oscore-send", "--oscore-context", context.toString(),
                "--gateway", "coap://127.0.0.1:" + gateway.oscorePort(), "--value", "temp=23.5");
        assertThat(cli.exitCode()).as("a new sender continues the sequence kept beside the context: " + cli.err())
                .isZero();
        assertThat(cli.out()).contains("sent 1 reading(s): 2.04 CHANGED");
        DeviceCliRun usage = DeviceCliRun.vigilDevice("oscore-send", "--oscore-context", context.toString(),
                "--gateway", "coaps://127.0.0.1:1", "--value", "temp=1");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.err()).contains("--gateway must be coap://host:port, not coaps://127.0.0.1:1");

        JsonNode readings = server.readings("o1");
        assertThat(readings).hasSize(3);
        assertThat(readings.get(0).path("v").asDouble()).isIn(21.5, 22.5, 23.5);
        assertThat(server.readings("gw1")).isEmpty();
    }

    @Test
    void an_unlisted_kid_is_refused_by_the_gateway() throws Exception {
        Path listed = oscoreChild("o1", "sensor");
        Gateway gateway = gateway();
        JsonNode forged = JSON.readTree(listed.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) forged).put("senderId", "0102030405ff");
        Path stranger = server.scratch("stranger").resolve("oscore.json");
        Files.write(stranger, JSON.writeValueAsBytes(forged));
        assertThat(send(child(stranger, gateway.oscorePort()), 1.0).code()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(server.readings("o1")).isEmpty();
    }

    @Test
    void the_operator_gets_the_childs_context_once_in_a_0600_file_and_never_again() throws Exception {
        Path out = server.scratch("cli").resolve("o9.oscore.json");
        Path key = server.scratch("cli").resolve("o9.pub.pem");
        PemFiles.writePublicKey(key, PemFiles.generateP256().getPublic());
        CliRun added = server.vigil("device", "add", "o9", "--key", key.toString(), "--profile", "sensor", "--via",
                "gw1", "--mode", "oscore", "--oscore-out", out.toString());
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        JsonNode context = JSON.readTree(out.toFile());
        String secret = context.path("masterSecret").asText();
        assertThat(secret).hasSizeGreaterThan(16);
        assertThat(added.out()).contains("OSCORE kid " + context.path("senderId").asText()).doesNotContain(secret);

        CliRun json = server.vigil("device", "show", "o9", "--json");
        assertThat(json.out()).doesNotContain(secret);
        CliRun again = server.vigil("device", "add", "o8", "--key", key.toString(), "--profile", "sensor", "--via",
                "gw1", "--mode", "oscore", "--oscore-out", out.toString());
        assertThat(again.exitCode()).isNotZero();
        assertThat(again.err().strip()).isEqualTo("vigil device add: " + out + " exists: --oscore-out writes a new"
                + " file only");
        Path keyless = server.scratch("cli").resolve("o7.oscore.json");
        CliRun withoutKey = server.vigil("device", "add", "o7", "--profile", "sensor", "--via", "gw1", "--mode",
                "oscore", "--oscore-out", keyless.toString());
        assertThat(withoutKey.exitCode()).as(withoutKey.err()).isZero();
        assertThat(JSON.readTree(keyless.toFile()).path("senderId").asText())
                .isNotEqualTo(context.path("senderId").asText());
        CliRun noKey = server.vigil("device", "add", "p7", "--profile", "sensor", "--via", "gw1", "--mode", "proxy");
        assertThat(noKey.exitCode()).isNotZero();
        assertThat(noKey.err()).contains("Missing required option: '--key=PUBKEY.pem' (only an OSCORE or PSK child may go"
                + " without one)");
        CliRun missing = server.vigil("device", "add", "o8", "--key", key.toString(), "--profile", "sensor", "--via",
                "gw1", "--mode", "oscore");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("--mode oscore needs --oscore-out FILE");
        assertThatThrownBy(() -> server.admin("device.show", VigilTestServer.args().put("name", "o8")))
                .as("nothing registered").hasMessageContaining("no device named 'o8'");
        try (var rows = Files.walk(server.dataDir().root())) {
            List<Path> files = rows.filter(Files::isRegularFile).toList();
            for (Path file : files) {
                assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1))
                        .as("the master secret in the clear in " + file).doesNotContain(secret);
            }
        }
    }

    /** A capture point standing where the gateway would: keeps what the child sent, answers 5.04. */
    private BlockingQueue<Request> capture(int[] port) {
        BlockingQueue<Request> captured = new ArrayBlockingQueue<>(16);
        Configuration config = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS);
        CoapServer point = new CoapServer(config);
        point.addEndpoint(new CoapEndpoint.Builder().setInetSocketAddress(new InetSocketAddress(
                InetAddress.getLoopbackAddress(), 0)).setConfiguration(config).build());
        point.setMessageDeliverer(new MessageDeliverer() {
            @Override
            public void deliverRequest(Exchange exchange) {
                captured.add(exchange.getRequest());
                exchange.sendResponse(new Response(ResponseCode.GATEWAY_TIMEOUT));
            }

            @Override
            public void deliverResponse(Exchange exchange, Response response) {
            }
        });
        point.start();
        closing(point::destroy);
        port[0] = point.getEndpoints().get(0).getAddress().getPort();
        return captured;
    }

    private static Request copy(Request captured) {
        Request forward = new Request(captured.getCode());
        forward.getOptions().setOscore(captured.getOptions().getOscore().clone());
        forward.setPayload(captured.getPayload().clone());
        return forward;
    }

    @Test
    void a_rogue_gateway_that_alters_a_protected_request_is_refused_and_nothing_is_stored() throws Exception {
        Path context = oscoreChild("o1", "sensor");
        int[] port = new int[1];
        BlockingQueue<Request> captured = capture(port);
        send(child(context, port[0]), 21.5);
        Request original = captured.poll(5, TimeUnit.SECONDS);
        assertThat(original).isNotNull();
        DeviceClient rogue = upstream();

        Request payload = copy(original);
        byte[] ciphertext = payload.getPayload();
        ciphertext[0] ^= 0x01; // the inner code, options and readings are all inside
        payload.setPayload(ciphertext);
        assertThat(rogue.send("/", payload).code()).as("does not decrypt: 4.00 (RFC 8613 §8.2)")
                .isEqualTo(ResponseCode.BAD_REQUEST);

        Request option = copy(original);
        byte[] oscore = option.getOptions().getOscore();
        oscore[1] ^= 0x01; // the partial IV: another nonce, another AAD
        option.getOptions().setOscore(oscore);
        assertThat(rogue.send("/", option).code()).isEqualTo(ResponseCode.BAD_REQUEST);

        Request truncated = copy(original);
        byte[] flags = truncated.getOptions().getOscore();
        byte[] broken = java.util.Arrays.copyOf(flags, flags.length + 1);
        broken[0] |= 0x10; // "a kid context follows", whose length byte then claims more than there is
        System.arraycopy(flags, 1 + (flags[0] & 0x07), broken, 2 + (flags[0] & 0x07), flags.length - 1 - (flags[0] & 0x07));
        broken[1 + (flags[0] & 0x07)] = 0x40;
        truncated.getOptions().setOscore(broken);
        assertThat(rogue.send("/", truncated).code()).as("an OSCORE option that does not decode: 4.02")
                .isEqualTo(ResponseCode.BAD_OPTION);

        Request reserved = copy(original);
        reserved.getOptions().getOscore()[0] |= (byte) 0x20; // a reserved flag bit
        assertThat(rogue.send("/", reserved).code()).as("refused (cf-oscore answers 4.01 here, not 4.02)")
                .isIn(ResponseCode.BAD_OPTION, ResponseCode.UNAUTHORIZED);

        assertThat(server.readings("o1")).isEmpty();
        assertThat(server.readings("gw1")).isEmpty();
        assertThat(events("oscore-refused")).hasSizeGreaterThanOrEqualTo(4).allMatch(e -> e.startsWith("gw1: "));
    }

    @Test
    void a_replayed_request_is_refused_also_after_a_server_restart_and_stored_once() throws Exception {
        Path context = oscoreChild("o1", "sensor");
        int[] port = new int[1];
        BlockingQueue<Request> captured = capture(port);
        OscoreChild child = child(context, port[0]);
        send(child, 1.0);
        send(child, 2.0);
        Request first = captured.poll(5, TimeUnit.SECONDS);
        Request second = captured.poll(5, TimeUnit.SECONDS);

        try (DeviceClient rogue = new DeviceClient(server.deviceUri(), gatewayKey, server.serverPublicKey())
                .timeout(5_000)) {
            assertThat(rogue.send("/", copy(second)).code()).as("forwarded once: the protected 2.04")
                    .isEqualTo(ResponseCode.CHANGED);
            assertThat(rogue.send("/", copy(second)).code()).as("replayed: 4.01 (RFC 8613 §7.4)")
                    .isEqualTo(ResponseCode.UNAUTHORIZED);
            assertThat(rogue.send("/", copy(first)).code()).as("older, inside the window, not yet seen")
                    .isEqualTo(ResponseCode.CHANGED);
        }
        server = server.restart();
        try (DeviceClient rogue = new DeviceClient(server.deviceUri(), gatewayKey, server.serverPublicKey())
                .timeout(5_000)) {
            assertThat(rogue.send("/", copy(first)).code()).as("after a restart the window is gone: the floor holds")
                    .isEqualTo(ResponseCode.UNAUTHORIZED);
            assertThat(rogue.send("/", copy(second)).code()).isEqualTo(ResponseCode.UNAUTHORIZED);
        }
        assertThat(server.readings("o1")).hasSize(2);
        assertThat(events("oscore-refused")).anyMatch(e -> e.startsWith("gw1: 4.01"));
    }

    @Test
    void a_profile_demanding_relay_refuses_an_oscore_child_at_add_and_at_request() throws Exception {
        assertThatThrownBy(() -> server.admin("device.add", VigilTestServer.args().put("name", "v1")
                .put("profile", "vault").put("via", "gw1").put("mode", "oscore")
                .put("publicKey", PemFiles.publicKeyPem(PemFiles.generateP256().getPublic()))))
                .isInstanceOf(ManagementException.class)
                .hasMessage("profile 'vault' demands childAuth relay: its devices cannot be carried in oscore mode");
        Path context = oscoreChild("p1", "plain");
        Gateway gateway = gateway();
        OscoreChild child = child(context, gateway.oscorePort());
        assertThat(send(child, 1.0).code()).isEqualTo(ResponseCode.CHANGED);
        applyPolicy(", \"childAuth\": \"oscore\"");
        assertThat(send(child, 2.0).code()).as("oscore meets a minimum of oscore").isEqualTo(ResponseCode.CHANGED);
        applyPolicy(", \"childAuth\": \"relay\"");
        assertThat(send(child, 3.0).code()).as("the policy now demands relay").isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(server.readings("p1")).hasSize(2);
        assertThat(events("gateway-denied")).anyMatch(e -> e.contains("profile plain demands childAuth relay"));
    }

    @Test
    void quarantining_the_gateway_refuses_its_oscore_children_at_once() throws Exception {
        Path context = oscoreChild("o1", "sensor");
        Gateway gateway = gateway();
        OscoreChild child = child(context, gateway.oscorePort());
        assertThat(send(child, 1.0).code()).isEqualTo(ResponseCode.CHANGED);
        server.admin("device.quarantine", VigilTestServer.args().put("name", "gw1"));
        assertThat(send(child, 2.0).code()).isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(server.readings("o1")).hasSize(1);
        assertThat(events("gateway-denied")).anyMatch(e -> e.startsWith("gw1: OSCORE kid"));
    }

    @Test
    void an_oscore_child_over_its_own_rate_gets_4_29_while_its_sibling_passes() throws Exception {
        Gateway gateway = gateway();
        Path m1 = oscoreChild("m1", "metered");
        Path m2 = oscoreChild("m2", "metered");
        gateway.pull();
        OscoreChild first = child(m1, gateway.oscorePort());
        OscoreChild second = child(m2, gateway.oscorePort());
        assertThat(send(first, 1.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(send(first, 2.0).code()).isEqualTo(ResponseCode.CHANGED);
        OscoreChild.Answer limited = send(first, 3.0);
        assertThat(limited.code()).isEqualTo(ResponseCode.TOO_MANY_REQUESTS);
        assertThat(limited.maxAge()).isNotNull().isGreaterThanOrEqualTo(1);
        assertThat(send(second, 1.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(server.readings("m1")).hasSize(2);
        assertThat(server.readings("m2")).hasSize(1);
        assertThat(events("rate-limited")).anyMatch(e -> e.startsWith("m1: ")).noneMatch(e -> e.startsWith("m2: "));
    }

    /**
     * Bytes on the wire child→gateway for one reading (the same SenML CBOR), after the first: an OSCORE child's
     * CoAP/UDP datagram vs a relay child's DTLS record (what the gateway's relay port forwards unchanged). Printed
     * for the README; the assertion is only that OSCORE costs the child's radio less.
     */
    @Test
    void an_oscore_reading_costs_fewer_bytes_on_the_child_link_than_a_relayed_dtls_record() throws Exception {
        Gateway gateway = gateway();
        Path context = oscoreChild("o1", "sensor");
        KeyPair relayKey = PemFiles.generateP256();
        server.admin("device.add", VigilTestServer.args().put("name", "r1").put("profile", "sensor").put("via", "gw1")
                .put("mode", "relay").put("publicKey", PemFiles.publicKeyPem(relayKey.getPublic())));
        gateway.pull();
        byte[] reading = SenmlCbor.encode(Map.of("temp", 21.5));

        LinkRelay toGateway = closing(new LinkRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                gateway.oscorePort())));
        OscoreChild oscore = child(context, toGateway.port());
        assertThat(oscore.post("/t", reading).code()).isEqualTo(ResponseCode.CHANGED);
        long before = toGateway.upBytes.get();
        assertThat(oscore.post("/t", reading).code()).isEqualTo(ResponseCode.CHANGED);
        long oscoreBytes = toGateway.upBytes.get() - before;

        URI uri = server.deviceUri();
        LinkRelay toServer = closing(new LinkRelay(new InetSocketAddress(uri.getHost(), uri.getPort())));
        DeviceClient relayed = closing(new DeviceClient(URI.create("coaps://127.0.0.1:" + toServer.port()), relayKey,
                server.serverPublicKey()).timeout(5_000));
        assertThat(relayed.sendTelemetry(reading).code()).isEqualTo(ResponseCode.CHANGED);
        long relayBefore = toServer.upBytes.get();
        long datagramsBefore = toServer.upDatagrams.get();
        assertThat(relayed.sendTelemetry(reading).code()).isEqualTo(ResponseCode.CHANGED);
        long relayBytes = toServer.upBytes.get() - relayBefore;
        assertThat(toServer.upDatagrams.get() - datagramsBefore).as("one record, no handshake").isEqualTo(1);

        System.err.printf("bytes child->gateway per reading (SenML CBOR %d bytes): OSCORE %d, relay (DTLS record) %d%n",
                reading.length, oscoreBytes, relayBytes);
        assertThat(oscoreBytes).isLessThan(relayBytes);
        assertThat(server.readings("o1")).hasSize(2);
        assertThat(server.readings("r1")).hasSize(2);
    }
}
