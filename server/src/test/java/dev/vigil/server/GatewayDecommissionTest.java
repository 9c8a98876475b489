package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.keys.PemFiles;
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
 * {@code vigil device decommission GW} for a gateway with children: refused with one line unless the operator says
 * what becomes of them; {@code --rehome-to G2} moves every child to G2 in the same transaction (same modes, audited);
 * {@code --orphan-children} detaches them (proxied ones can send nothing, relay ones keep their own sessions).
 */
class GatewayDecommissionTest {

    private VigilTestServer server;
    private KeyPair gw2Key;
    private KeyPair relayKey;

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        server.addDevice("gw1", "gateway");
        gw2Key = server.addDevice("gw2", "gateway");
        server.addDevice("gw3", "gateway");
        server.admin("device.suspend", VigilTestServer.args().put("name", "gw3"));
        relayKey = PemFiles.generateP256();
        addChild("c1", PemFiles.generateP256(), "proxy");
        addChild("r1", relayKey, "relay");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private void addChild(String name, KeyPair key, String mode) throws Exception {
        server.admin("device.add", VigilTestServer.args().put("name", name).put("profile", "sensor").put("via", "gw1")
                .put("mode", mode).put("publicKey", PemFiles.publicKeyPem(key.getPublic())));
    }

    private List<String> children(String gateway) throws Exception {
        List<String> found = new ArrayList<>();
        for (JsonNode child : server.admin("gateway.children", VigilTestServer.args().put("name", gateway))
                .path("children")) {
            found.add(child.path("name").asText() + " " + child.path("mode").asText());
        }
        return found;
    }

    private long lastAudit() throws Exception {
        return server.admin("audit.tail", VigilTestServer.args().put("limit", 1)).path("entries").get(0).path("seq")
                .asLong();
    }

    private List<String> auditActions(int limit) throws Exception {
        return server.admin("audit.tail", VigilTestServer.args().put("limit", limit)).path("entries")
                .findValuesAsText("action");
    }

    private String state(String name) throws Exception {
        return server.admin("device.show", VigilTestServer.args().put("name", name)).path("state").asText();
    }

    private void refused(String expected, String... args) throws Exception {
        long audit = lastAudit();
        CliRun run = server.vigil(args);
        assertThat(run.exitCode()).as(String.join(" ", args)).isNotZero();
        assertThat(run.errLines()).containsExactly(expected);
        assertThat(state("gw1")).isEqualTo("ACTIVE");
        assertThat(children("gw1")).containsExactly("c1 proxy", "r1 relay");
        assertThat(lastAudit()).as("nothing audited").isEqualTo(audit);
    }

    private static DeviceClient.Outcome post(DeviceClient gateway, String child) {
        Request request = Request.newPost();
        request.getOptions().setContentFormat(SenmlCbor.CONTENT_FORMAT);
        request.setPayload(SenmlCbor.encode(Map.of("temp", 1.0)));
        return gateway.send("/gw/" + child + "/t", request);
    }

    @Test
    void a_gateway_with_children_is_not_decommissioned_without_the_operators_choice() throws Exception {
        refused("vigil device decommission: gw1 has 2 children: use --rehome-to OTHER_GW or --orphan-children",
                "device", "decommission", "gw1");
        refused("vigil device decommission: no device named 'nobody' to be the gateway",
                "device", "decommission", "gw1", "--rehome-to", "nobody");
        refused("vigil device decommission: gateway 'gw3' is suspended, not active",
                "device", "decommission", "gw1", "--rehome-to", "gw3");
        refused("vigil device decommission: 'c1' is a child of gateway 'gw1' and cannot carry children",
                "device", "decommission", "gw1", "--rehome-to", "c1");
        refused("vigil device decommission: cannot re-home the children of 'gw1' to itself",
                "device", "decommission", "gw1", "--rehome-to", "gw1");
        CliRun both = server.vigil("device", "decommission", "gw1", "--rehome-to", "gw2", "--orphan-children");
        assertThat(both.exitCode()).isNotZero();
        assertThat(both.err()).contains("give --rehome-to or --orphan-children, not both");
        assertThat(state("gw1")).isEqualTo("ACTIVE");

        CliRun childless = server.vigil("device", "decommission", "gw2");
        assertThat(childless.exitCode()).as("a gateway without children, as any device").isZero();
        assertThat(state("gw2")).isEqualTo("DECOMMISSIONED");
    }

    @Test
    void rehoming_moves_every_child_to_the_other_gateway_in_the_same_modes() throws Exception {
        CliRun run = server.vigil("device", "decommission", "gw1", "--rehome-to", "gw2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("gw1: ACTIVE -> DECOMMISSIONED").contains("children re-homed to gw2: c1, r1");
        assertThat(children("gw2")).containsExactly("c1 proxy", "r1 relay");
        assertThat(state("c1")).as("the children themselves untouched").isEqualTo("ACTIVE");
        assertThat(auditActions(3)).containsExactlyInAnyOrder("device.decommission", "gateway.child.rehome",
                "gateway.child.rehome");
        try (DeviceClient gw2 = new DeviceClient(server.deviceUri(), gw2Key, server.serverPublicKey()).timeout(5_000)) {
            assertThat(post(gw2, "c1").code()).as("its new gateway speaks for it").isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.readings("c1")).hasSize(1);
    }

    @Test
    void orphaning_detaches_the_children_proxied_ones_fall_silent_relay_ones_keep_their_own_sessions()
            throws Exception {
        CliRun run = server.vigil("device", "decommission", "gw1", "--orphan-children", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.out());
        assertThat(result.path("orphaned").toString()).isEqualTo("[\"c1\",\"r1\"]");
        assertThat(auditActions(3)).containsExactlyInAnyOrder("device.decommission", "gateway.child.orphan",
                "gateway.child.orphan");
        server.admin("device.add", VigilTestServer.args().put("name", "c2").put("profile", "sensor").put("via", "gw2")
                .put("mode", "proxy").put("publicKey", PemFiles.publicKeyPem(PemFiles.generateP256().getPublic())));
        try (DeviceClient gw2 = new DeviceClient(server.deviceUri(), gw2Key, server.serverPublicKey()).timeout(5_000);
                DeviceClient relay = new DeviceClient(server.deviceUri(), relayKey, server.serverPublicKey())
                        .timeout(5_000)) {
            assertThat(post(gw2, "c1").code()).as("no gateway speaks for an orphan").isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(relay.sendTelemetry(SenmlCbor.encode(Map.of("temp", 2.0))).code())
                    .as("a relay child holds its own key and session").isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.readings("c1")).isEmpty();
        assertThat(server.readings("r1")).hasSize(1);
        assertThat(server.admin("events", VigilTestServer.args().put("limit", 1000)).path("events")
                .findValuesAsText("type")).as("no longer bound to a gateway").doesNotContain("child-off-gateway");
    }
}
