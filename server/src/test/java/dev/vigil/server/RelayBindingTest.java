package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.device.gateway.Gateway;
import dev.vigil.provisioning.keys.PemFiles;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A relay child bound to its gateway: through the gateway (the reference {@link Gateway}'s relay port) nothing is
 * raised; its own session from another address is still served, but it is a {@code child-off-gateway} event and
 * the {@code OFF_GATEWAY} trust signal. A relay child whose gateway is quarantined keeps working directly.
 */
class RelayBindingTest {

    private VigilTestServer server;
    private KeyPair gatewayKey;
    private KeyPair childKey;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        gatewayKey = server.addDevice("gw1", "gateway");
        childKey = PemFiles.generateP256();
        server.admin("device.add", VigilTestServer.args().put("name", "r1").put("profile", "sensor").put("via", "gw1")
                .put("mode", "relay").put("publicKey", PemFiles.publicKeyPem(childKey.getPublic())));
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

    private InetSocketAddress serverAddress() {
        URI uri = server.deviceUri();
        return new InetSocketAddress(uri.getHost(), uri.getPort());
    }

    private Gateway gateway() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        DeviceClient upstream = new DeviceClient(server.deviceUri(), gatewayKey, server.serverPublicKey()).timeout(5_000);
        return closing(new Gateway(new Gateway.Settings(server.scratch("gw1-state"), loopback, loopback,
                serverAddress(), 1, 10, 3600), gatewayKey, upstream));
    }

    /** The relay child, sending to {@code port} on loopback. */
    private DeviceClient child(int port) {
        return closing(new DeviceClient(URI.create("coaps://127.0.0.1:" + port), childKey, server.serverPublicKey())
                .timeout(5_000));
    }

    /** The relay child on a path of its own: its datagrams reach the server from 127.0.0.2. */
    private DeviceClient childElsewhere() throws Exception {
        return child(closing(new UdpHop(serverAddress(), "127.0.0.2")).port());
    }

    private static DeviceClient.Outcome send(DeviceClient client, double value) {
        return client.sendTelemetry(SenmlCbor.encode(Map.of("temp", value)));
    }

    private List<String> offGateway() throws Exception {
        List<String> found = new ArrayList<>();
        for (JsonNode event : server.admin("events", VigilTestServer.args().put("limit", 1000)).path("events")) {
            if (event.path("type").asText().equals("child-off-gateway")) {
                found.add(event.path("subject").asText() + ": " + event.path("detail").asText());
            }
        }
        return found;
    }

    private List<String> signals(String name) throws Exception {
        return server.admin("device.trust", VigilTestServer.args().put("name", name)).path("signals")
                .findValuesAsText("signal");
    }

    @Test
    void through_its_gateway_nothing_is_raised_and_from_elsewhere_it_is_served_with_a_signal() throws Exception {
        Gateway gateway = gateway();
        DeviceClient through = child(gateway.relayPort());
        assertThat(send(through, 1.0).code()).isEqualTo(ResponseCode.CHANGED);
        through.close();
        assertThat(offGateway()).isEmpty();
        assertThat(signals("r1")).doesNotContain("OFF_GATEWAY");

        assertThat(send(childElsewhere(), 2.0).code()).as("served: it proved its own key").isEqualTo(ResponseCode.CHANGED);
        assertThat(offGateway()).containsExactly("r1: session from 127.0.0.2; gateway gw1 is at 127.0.0.1");
        assertThat(signals("r1")).containsExactly("OFF_GATEWAY");
        assertThat(signals("gw1")).isEmpty();
        assertThat(server.readings("r1")).hasSize(2);
    }

    @Test
    void a_relay_child_whose_gateway_has_no_session_is_off_its_gateway() throws Exception {
        assertThat(send(child(server.deviceUri().getPort()), 1.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(offGateway()).containsExactly("r1: session from 127.0.0.1; gateway gw1 has no live session");
    }

    @Test
    void a_relay_child_of_a_quarantined_gateway_keeps_working_directly() throws Exception {
        Gateway gateway = gateway();
        DeviceClient through = child(gateway.relayPort());
        assertThat(send(through, 1.0).code()).isEqualTo(ResponseCode.CHANGED);
        through.close();
        server.admin("device.quarantine", VigilTestServer.args().put("name", "gw1"));
        DeviceClient direct = childElsewhere();
        assertThat(send(direct, 2.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(send(direct, 3.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(server.readings("r1")).hasSize(3);
        assertThat(offGateway()).hasSize(1);
        assertThat(server.admin("device.show", VigilTestServer.args().put("name", "r1")).path("state").asText())
                .isEqualTo("ACTIVE");
    }
}
