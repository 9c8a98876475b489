package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.management.ManagementException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gateways over real DTLS: a gateway speaks only for its own proxied children ({@code POST /gw/{child}/t}),
 * each child's request is judged as the child's own and stored under its name, and restricting the gateway
 * stops its children at once. Also the CLI: {@code vigil device add --via}, {@code vigil gateway children}.
 */
class GatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The shipped profiles plus a tight "metered" one, a "vault" that must be relayed, and a "plain" one. */
    private static final String POLICY = """
            {"profiles": {
              "sensor": {"send": [{"resource": "t", "methods": ["POST"], "formats": [110, 112], "maxPayload": 1024,
                                   "rate": {"perSecond": 1, "burst": 10}}],
                         "services": ["firmware", "key-rotation"]},
              "gateway": {"send": [{"resource": "t", "methods": ["POST"], "formats": [110, 112], "maxPayload": 16384,
                                    "rate": {"perSecond": 50, "burst": 200}}],
                          "services": ["firmware", "key-rotation"]},
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

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        applyPolicy("");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private void applyPolicy(String plainExtra) throws ManagementException {
        assertThat(server.admin("policy.apply", VigilTestServer.args().put("document", POLICY.formatted(plainExtra)))
                .path("valid").asBoolean()).isTrue();
    }

    private DeviceClient gateway(String name) throws ManagementException {
        KeyPair key = server.addDevice(name, "gateway");
        return new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000);
    }

    private JsonNode addChild(String name, String profile, String via, String mode) throws ManagementException {
        return addChild(name, PemFiles.generateP256(), profile, via, mode);
    }

    private JsonNode addChild(String name, KeyPair key, String profile, String via, String mode)
            throws ManagementException {
        var args = VigilTestServer.args().put("name", name).put("profile", profile).put("via", via)
                .put("publicKey", PemFiles.publicKeyPem(key.getPublic()));
        if (mode != null) {
            args.put("mode", mode);
        }
        return server.admin("device.add", args);
    }

    private static DeviceClient.Outcome post(DeviceClient gateway, String child, double value, String... query) {
        Request request = Request.newPost();
        request.getOptions().setContentFormat(SenmlCbor.CONTENT_FORMAT);
        request.setPayload(SenmlCbor.encode(Map.of("temp", value)));
        for (String q : query) {
            request.getOptions().addUriQuery(q);
        }
        return gateway.send("/gw/" + child + "/t", request);
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
    void a_proxied_childs_reading_is_stored_under_the_childs_name_never_the_gateways() throws Exception {
        try (DeviceClient gw = gateway("gw1")) {
            assertThat(addChild("c1", "sensor", "gw1", null).path("mode").asText()).as("proxy by default")
                    .isEqualTo("proxy");
            assertThat(post(gw, "c1", 21.5).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(post(gw, "c1", 21.6, "s=7").code()).isEqualTo(ResponseCode.CHANGED);
            DeviceClient.Outcome replay = post(gw, "c1", 21.6, "s=7");
            assertThat(replay.code()).as("numbered like /t: a replay is dropped").isEqualTo(ResponseCode.CHANGED);
            assertThat(new com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper().readTree(replay.payload())
                    .path("seq").asLong()).isEqualTo(7);
            assertThat(post(gw, "c1", 21.7, "x=1").code()).as("the same query check as /t")
                    .isEqualTo(ResponseCode.BAD_REQUEST);
        }
        JsonNode readings = server.readings("c1");
        assertThat(readings).hasSize(2);
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(21.5);
        assertThat(server.readings("gw1")).isEmpty();
    }

    @Test
    void a_gateway_speaks_only_for_its_own_proxied_children_else_4_03_and_an_event() throws Exception {
        server.addDevice("lone", "sensor");
        try (DeviceClient gw1 = gateway("gw1"); DeviceClient gw2 = gateway("gw2")) {
            addChild("c1", "sensor", "gw1", "proxy");
            addChild("c2", "sensor", "gw2", "proxy");
            addChild("r1", "sensor", "gw1", "relay");
            for (String name : List.of("c2", "gw1", "nobody", "lone", "r1", "gw2")) {
                assertThat(post(gw1, name, 1.0).code()).as("gw1 for " + name).isEqualTo(ResponseCode.FORBIDDEN);
            }
            assertThat(gw1.send("/gw/c1", Request.newPost()).code()).as("no resource named").isEqualTo(ResponseCode.NOT_FOUND);
            assertThat(post(gw1, "c1", 1.0).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(post(gw2, "c2", 2.0).code()).isEqualTo(ResponseCode.CHANGED);
        }
        for (String name : List.of("lone", "r1", "gw1", "gw2")) {
            assertThat(server.readings(name)).as(name).isEmpty();
        }
        assertThat(server.readings("c2")).hasSize(1);
        assertThat(events("gateway-denied")).hasSize(6).allMatch(e -> e.startsWith("gw1: POST /gw/"))
                .anyMatch(e -> e.contains("/gw/c2: a child of another gateway"))
                .anyMatch(e -> e.contains("/gw/gw1: a gateway cannot speak for itself"))
                .anyMatch(e -> e.contains("/gw/nobody: not a registered child"))
                .anyMatch(e -> e.contains("/gw/r1: a relay child"));
    }

    @Test
    void a_profile_demanding_relay_refuses_the_asserted_proxy_at_add_and_at_request() throws Exception {
        try (DeviceClient gw = gateway("gw1")) {
            assertThatThrownBy(() -> addChild("v1", "vault", "gw1", "proxy")).isInstanceOf(ManagementException.class)
                    .hasMessage("profile 'vault' demands childAuth relay: its devices cannot be carried in proxy mode");
            assertThatThrownBy(() -> server.admin("device.show", VigilTestServer.args().put("name", "v1")))
                    .as("nothing changed").hasMessageContaining("no device named 'v1'");
            assertThat(addChild("v1", "vault", "gw1", "relay").path("mode").asText()).isEqualTo("relay");

            addChild("p1", "plain", "gw1", "proxy");
            assertThat(post(gw, "p1", 1.0).code()).isEqualTo(ResponseCode.CHANGED);
            applyPolicy(", \"childAuth\": \"relay\"");
            assertThat(post(gw, "p1", 2.0).code()).as("the policy now demands relay").isEqualTo(ResponseCode.FORBIDDEN);
        }
        assertThat(server.readings("p1")).hasSize(1);
        assertThat(events("gateway-denied")).anyMatch(e -> e.contains("/gw/p1: profile plain demands childAuth relay"));
    }

    @Test
    void an_unknown_child_auth_is_a_policy_error() throws Exception {
        JsonNode result = server.admin("policy.validate", VigilTestServer.args().put("document",
                POLICY.formatted(", \"childAuth\": \"trust-me\"")));
        assertThat(result.path("valid").asBoolean()).isFalse();
        assertThat(result.toString()).contains("/profiles/plain/childAuth").contains("unknown child authentication");
    }

    @Test
    void a_child_over_its_own_rate_gets_4_29_while_its_sibling_passes() throws Exception {
        try (DeviceClient gw = gateway("gw1")) {
            addChild("m1", "metered", "gw1", null);
            addChild("m2", "metered", "gw1", null);
            assertThat(post(gw, "m1", 1.0).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(post(gw, "m1", 2.0).code()).isEqualTo(ResponseCode.CHANGED);
            DeviceClient.Outcome limited = post(gw, "m1", 3.0);
            assertThat(limited.code()).isEqualTo(ResponseCode.TOO_MANY_REQUESTS);
            assertThat(limited.options().hasMaxAge()).isTrue();
            assertThat(post(gw, "m2", 1.0).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(post(gw, "m2", 2.0).code()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.readings("m1")).hasSize(2);
        assertThat(server.readings("m2")).hasSize(2);
        assertThat(events("rate-limited")).anyMatch(e -> e.startsWith("m1: ")).noneMatch(e -> e.startsWith("m2: "))
                .noneMatch(e -> e.startsWith("gw1: "));
    }

    @Test
    void a_gateway_speaking_beyond_its_childrens_aggregate_loses_trust_to_quarantine_and_then_speaks_for_none()
            throws Exception {
        try (DeviceClient gw = gateway("gw1")) {
            addChild("m1", "metered", "gw1", null);
            addChild("m2", "metered", "gw1", null);
            for (String child : List.of("m1", "m2", "m1", "m2")) {
                assertThat(post(gw, child, 1.0).code()).as("within the aggregate: 2 + 2").isEqualTo(ResponseCode.CHANGED);
            }
            assertThat(events("gateway-excess")).isEmpty();
            for (int i = 0; i < 5; i++) {
                assertThat(post(gw, "m1", 2.0).code()).as("the child's own limit").isEqualTo(ResponseCode.TOO_MANY_REQUESTS);
            }
            JsonNode trust = server.admin("device.trust", VigilTestServer.args().put("name", "gw1"));
            assertThat(trust.path("tier").asText()).isEqualTo("QUARANTINED");
            assertThat(trust.path("signals").findValuesAsText("signal")).containsExactly("GATEWAY_EXCESS");
            assertThat(server.admin("device.trust", VigilTestServer.args().put("name", "m1")).path("signals")
                    .findValuesAsText("signal")).as("a signal against the gateway, not its child")
                    .doesNotContain("GATEWAY_EXCESS");
            assertThat(post(gw, "m2", 3.0).code()).as("a quarantined gateway speaks for no child")
                    .isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(server.admin("device.show", VigilTestServer.args().put("name", "gw1")).path("trustTier")
                    .asText()).isEqualTo("QUARANTINED");
        }
        assertThat(events("gateway-excess")).first().asString().startsWith("gw1: speaking for its proxied children"
                + " beyond their aggregate (0.02/s, burst 4.0)");
        assertThat(events("gateway-denied")).anyMatch(e -> e.contains("/gw/m2: the gateway is QUARANTINED by the trust"));
        assertThat(server.readings("m1")).hasSize(2);
        assertThat(server.readings("m2")).hasSize(2);
    }

    @Test
    void a_suspended_child_is_refused_while_its_siblings_pass() throws Exception {
        try (DeviceClient gw = gateway("gw1")) {
            addChild("c1", "sensor", "gw1", null);
            addChild("c2", "sensor", "gw1", null);
            server.admin("device.suspend", VigilTestServer.args().put("name", "c1"));
            assertThat(post(gw, "c1", 1.0).code()).isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(post(gw, "c2", 1.0).code()).isEqualTo(ResponseCode.CHANGED);
            server.admin("device.reinstate", VigilTestServer.args().put("name", "c1"));
            assertThat(post(gw, "c1", 2.0).code()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.readings("c1")).hasSize(1);
        assertThat(events("gateway-denied")).anyMatch(e -> e.contains("/gw/c1: child is SUSPENDED"));
    }

    @Test
    void a_quarantined_gateways_proxied_children_are_refused_at_once_while_a_relay_child_speaks_for_itself()
            throws Exception {
        KeyPair relayKey = PemFiles.generateP256();
        try (DeviceClient gw = gateway("gw1");
                DeviceClient relayed = new DeviceClient(server.deviceUri(), relayKey, server.serverPublicKey())
                        .timeout(5_000)) {
            addChild("c1", "sensor", "gw1", null);
            addChild("r1", relayKey, "sensor", "gw1", "relay");
            assertThat(post(gw, "c1", 1.0).code()).isEqualTo(ResponseCode.CHANGED);
            server.admin("device.quarantine", VigilTestServer.args().put("name", "gw1"));
            assertThat(post(gw, "c1", 2.0).code()).as("same session, restricted at once")
                    .isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(relayed.sendTelemetry(SenmlCbor.encode(Map.of("temp", 5.0))).code())
                    .as("a relay child holds its own session, untouched").isEqualTo(ResponseCode.CHANGED);
            server.admin("device.reinstate", VigilTestServer.args().put("name", "gw1"));
            assertThat(post(gw, "c1", 3.0).code()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.readings("c1")).hasSize(2);
        assertThat(server.readings("r1")).hasSize(1);
        assertThat(server.admin("device.show", VigilTestServer.args().put("name", "c1")).path("state").asText())
                .as("the child itself untouched").isEqualTo("ACTIVE");
    }

    @Test
    void a_suspended_gateways_session_is_cut_and_its_children_go_silent() throws Exception {
        try (DeviceClient gw = gateway("gw1")) {
            addChild("c1", "sensor", "gw1", null);
            addChild("c2", "sensor", "gw1", null);
            assertThat(post(gw, "c1", 1.0).code()).isEqualTo(ResponseCode.CHANGED);
            server.admin("device.suspend", VigilTestServer.args().put("name", "gw1"));
            for (String child : List.of("c1", "c2")) { // refused on the old session (4.03) until it is cut
                DeviceClient.Outcome outcome = post(gw, child, 2.0);
                assertThat(outcome.isSuccess()).as(child + ": " + outcome).isFalse();
                if (outcome.code() != null) {
                    assertThat(outcome.code()).as(child + ": " + outcome).isEqualTo(ResponseCode.FORBIDDEN);
                }
            }
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            DeviceClient.Outcome outcome = post(gw, "c2", 3.0);
            while (outcome.code() != null && System.nanoTime() < deadline) {
                Thread.sleep(100);
                outcome = post(gw, "c2", 3.0);
            }
            assertThat(outcome.code()).as("the session is cut: " + outcome).isNull();
            assertThat(outcome.failure()).contains("refused the DTLS handshake");
        }
        assertThat(server.readings("c1")).hasSize(1);
        assertThat(server.readings("c2")).isEmpty();
    }

    // ---- the CLI ----

    private CliRun vigil(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server.managementUri().toString(),
                "--operator-key", server.dataDir().adminKey().toString(),
                "--server-key", server.dataDir().serverPublicKey().toString()));
        return CliRun.vigil(all.toArray(String[]::new));
    }

    private CliRun ok(String... args) {
        CliRun run = vigil(args);
        assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isZero();
        return run;
    }

    private void refused(String expected, String... args) throws Exception {
        int devices = server.admin("device.list", VigilTestServer.args()).path("devices").size();
        long audit = server.admin("audit.tail", VigilTestServer.args().put("limit", 1)).path("entries").get(0)
                .path("seq").asLong();
        CliRun run = vigil(args);
        assertThat(run.exitCode()).as(String.join(" ", args)).isNotZero();
        assertThat(run.errLines()).containsExactly(expected);
        assertThat(server.admin("device.list", VigilTestServer.args()).path("devices")).as("nothing added").hasSize(devices);
        assertThat(server.admin("audit.tail", VigilTestServer.args().put("limit", 1)).path("entries").get(0)
                .path("seq").asLong()).as("nothing audited").isEqualTo(audit);
    }

    private String key(String name) throws Exception {
        Path file = server.scratch("keys").resolve(name + ".pub.pem");
        PemFiles.writePublicKey(file, PemFiles.generateP256().getPublic());
        return file.toString();
    }

    @Test
    void cli_device_add_via_and_gateway_children() throws Exception {
        ok("device", "add", "gw1", "--key", key("gw1"), "--profile", "gateway");
        ok("device", "add", "gw2", "--key", key("gw2"), "--profile", "gateway");
        assertThat(ok("device", "add", "c1", "--key", key("c1"), "--profile", "sensor", "--via", "gw1").out())
                .contains("child of gw1 (proxy)");
        ok("device", "add", "r1", "--key", key("r1"), "--profile", "sensor", "--via", "gw1", "--mode", "relay");

        String table = ok("gateway", "children", "gw1").out();
        assertThat(table).contains("NAME").contains("MODE");
        assertThat(table.lines().filter(l -> l.startsWith("c1 ")).findFirst().orElseThrow()).contains("proxy")
                .contains("sensor").contains("ACTIVE");
        assertThat(table.lines().filter(l -> l.startsWith("r1 ")).findFirst().orElseThrow()).contains("relay");
        JsonNode json = JSON.readTree(ok("gateway", "children", "gw1", "--json").out());
        assertThat(json.path("children").findValuesAsText("name")).containsExactly("c1", "r1");
        assertThat(ok("gateway", "children", "gw2").out()).isEqualTo("gw2 has no children\n");
        assertThat(server.admin("audit.tail", VigilTestServer.args().put("limit", 50)).path("entries")
                .findValuesAsText("action")).contains("gateway.child.add");

        ok("device", "add", "gw3", "--key", key("gw3"), "--profile", "gateway");
        ok("device", "suspend", "gw3");
        refused("vigil device add: no device named 'nobody' to be the gateway",
                "device", "add", "x1", "--key", key("x1"), "--profile", "sensor", "--via", "nobody");
        refused("vigil device add: gateway 'gw3' is suspended, not active",
                "device", "add", "x1", "--key", key("x1"), "--profile", "sensor", "--via", "gw3");
        refused("vigil device add: a device cannot be its own gateway",
                "device", "add", "x1", "--key", key("x1"), "--profile", "sensor", "--via", "x1");
        refused("vigil device add: 'c1' is a child of gateway 'gw1' and cannot carry children",
                "device", "add", "x1", "--key", key("x1"), "--profile", "sensor", "--via", "c1");
        refused("vigil device add: a device named 'c1' already exists",
                "device", "add", "c1", "--key", key("c1b"), "--profile", "sensor", "--via", "gw2");
        refused("vigil device add: profile 'vault' demands childAuth relay: its devices cannot be carried in proxy mode",
                "device", "add", "x1", "--key", key("x1"), "--profile", "vault", "--via", "gw1");
        refused("vigil device add: mode must be relay, proxy or oscore, not 'tunnel'",
                "device", "add", "x1", "--key", key("x1"), "--profile", "sensor", "--via", "gw1", "--mode", "tunnel");
        refused("vigil device add: --mode needs --via",
                "device", "add", "x1", "--key", key("x1"), "--profile", "sensor", "--mode", "relay");
        CliRun unknown = vigil("gateway", "children", "nobody");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.errLines()).containsExactly("vigil gateway children: no device named 'nobody'");
        assertThat(JSON.readTree(ok("gateway", "children", "gw1", "--json").out()).path("children")).hasSize(2);
    }
}
