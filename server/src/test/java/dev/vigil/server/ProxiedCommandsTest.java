package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.device.gateway.Gateway;
import dev.vigil.provisioning.keys.PemFiles;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyPair;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Commands to a proxied child (the shipped policy: an {@code actuator} receives on, off, set, ping; a
 * {@code gateway} carries reboot, ping): accepted only if both profiles list the command, flagged in the 2.04 of
 * the child's next reading, fetched by the child through the reference gateway ({@code GET /cmd} there, {@code GET
 * /gw/{child}/c} upstream) while both devices' policies allow it now, and its result reported the same way.
 */
class ProxiedCommandsTest {

    private static final CBORMapper CBOR = new CBORMapper();

    private VigilTestServer server;
    private Gateway gateway;
    private DeviceClient child;

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        KeyPair gatewayKey = server.addDevice("gw1", "gateway");
        KeyPair childKey = PemFiles.generateP256();
        server.admin("device.add", VigilTestServer.args().put("name", "a1").put("profile", "actuator").put("via", "gw1")
                .put("mode", "proxy").put("publicKey", PemFiles.publicKeyPem(childKey.getPublic())));
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        URI uri = server.deviceUri();
        gateway = new Gateway(new Gateway.Settings(server.scratch("gw1-state"), loopback, null,
                new InetSocketAddress(uri.getHost(), uri.getPort()), 10, 100, 3600), gatewayKey,
                new DeviceClient(uri, gatewayKey, server.serverPublicKey()).timeout(5_000));
        child = new DeviceClient(URI.create("coaps://127.0.0.1:" + gateway.port()), childKey, gatewayKey.getPublic())
                .timeout(5_000);
    }

    @AfterEach
    void stop() throws Exception {
        child.close();
        gateway.close();
        server.close();
    }

    private JsonNode commands() throws Exception {
        Request get = Request.newGet();
        get.getOptions().setAccept(MediaTypeRegistry.APPLICATION_CBOR);
        DeviceClient.Outcome list = child.send("/cmd", get);
        assertThat(list.code()).as(list.toString()).isEqualTo(ResponseCode.CONTENT);
        return CBOR.readTree(list.payload());
    }

    @Test
    void a_command_both_profiles_allow_reaches_the_proxied_child_through_its_gateway_and_its_result_comes_back()
            throws Exception {
        CliRun refused = server.vigil("command", "send", "a1", "on");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.errLines()).containsExactly("vigil command send: profile 'gateway' of gateway 'gw1' may not"
                + " carry command 'on' to its proxied child 'a1'");
        assertThat(server.admin("command.list", VigilTestServer.args().put("name", "a1")).path("commands"))
                .as("nothing queued").isEmpty();
        CliRun sent = server.vigil("command", "send", "a1", "ping", "--json");
        assertThat(sent.exitCode()).as(sent.err()).isZero();
        long id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(sent.out()).path("id").asLong();

        DeviceClient.Outcome reading = child.sendTelemetry(SenmlCbor.encode(Map.of("temp", 1.0)));
        assertThat(reading.code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(CBOR.readTree(reading.payload()).path("commands").asBoolean()).as("flagged in the 2.04").isTrue();

        JsonNode list = commands();
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("command").asText()).isEqualTo("ping");
        assertThat(list.get(0).path("id").asLong()).isEqualTo(id);

        Request result = Request.newPost();
        result.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_CBOR);
        result.setPayload(CBOR.writeValueAsBytes(Map.of("status", "succeeded", "result", "pong")));
        assertThat(child.send("/cmd/" + id, result).code()).isEqualTo(ResponseCode.CHANGED);
        JsonNode shown = server.admin("command.show", VigilTestServer.args().put("id", id));
        assertThat(shown.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(shown.path("device").asText()).as("the child's command, reported for it").isEqualTo("a1");
        assertThat(commands()).isEmpty();
    }

    @Test
    void a_command_is_held_while_the_gateways_policy_does_not_allow_it_now() throws Exception {
        assertThat(server.vigil("command", "send", "a1", "ping").exitCode()).isZero();
        server.admin("device.trust.pin", VigilTestServer.args().put("name", "gw1").put("tier", "LIMITED"));
        assertThat(commands()).as("a LIMITED gateway carries no commands").isEmpty();
        server.admin("device.trust.pin", VigilTestServer.args().put("name", "gw1"));
        server.admin("device.trust.release", VigilTestServer.args().put("name", "gw1"));
        assertThat(commands()).as("held, not dropped").hasSize(1);
    }
}
