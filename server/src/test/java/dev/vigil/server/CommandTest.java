package dev.vigil.server;

import static dev.vigil.server.CliRun.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import java.security.KeyPair;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The downlink end to end: commands queued by operators, delivered by Observe where policy allows. */
class CommandTest {

    private static final ObjectMapper CBOR = new CBORMapper();

    private VigilTestServer server;
    private KeyPair actuator;
    private CoapEndpoint endpoint;

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        actuator = server.addDevice("act-1", "actuator");
        endpoint = DtlsEndpoints.client(VigilConfig.defaults(), actuator, server.serverPublicKey());
        endpoint.start();
    }

    @AfterEach
    void stop() throws Exception {
        endpoint.destroy();
        server.close();
    }

    private String[] admin(String... command) {
        String[] all = java.util.Arrays.copyOf(command, command.length + 6);
        System.arraycopy(new String[] {"--server", server.managementUri().toString(), "--operator-key",
            server.dataDir().adminKey().toString(), "--server-key", server.dataDir().serverPublicKey().toString()}, 0,
            all, command.length, 6);
        return all;
    }

    private CoapClient client(String path) {
        CoapClient client = new CoapClient(server.deviceUri().resolve(path));
        client.setEndpoint(endpoint);
        client.setTimeout(5_000L);
        return client;
    }

    /** Observes /cmd; every notification's command list goes into the queue. */
    private CoapObserveRelation observe(BlockingQueue<JsonNode> notifications) {
        return client("/cmd").observe(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                try {
                    notifications.add(CBOR.readTree(response.getPayload()));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void onError() {
            }
        });
    }

    private static JsonNode next(BlockingQueue<JsonNode> notifications) throws InterruptedException {
        JsonNode list = notifications.poll(5, TimeUnit.SECONDS);
        assertThat(list).as("a notification within 5 s").isNotNull();
        return list;
    }

    private ResponseCode result(CoapClient client, long id, String body) throws Exception {
        return client.advanced(new org.eclipse.californium.core.coap.Request(org.eclipse.californium.core.coap.CoAP.Code.POST) {
            {
                setURI(server.deviceUri().resolve("/cmd/" + id));
                setPayload(body);
                getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
            }
        }).getCode();
    }

    @Test
    void an_allowed_command_is_delivered_by_observe_and_its_result_is_stored() throws Exception {
        BlockingQueue<JsonNode> notifications = new LinkedBlockingQueue<>();
        CoapObserveRelation relation = observe(notifications);
        assertThat(next(notifications)).as("nothing queued yet").isEmpty();

        CliRun sent = vigil(admin("command", "send", "act-1", "set", "level=3", "mode=eco", "--json"));
        assertThat(sent.exitCode()).as(sent.err()).isZero();
        long id = new ObjectMapper().readTree(sent.out()).path("id").asLong();

        JsonNode delivered = next(notifications);
        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0).path("id").asLong()).isEqualTo(id);
        assertThat(delivered.get(0).path("command").asText()).isEqualTo("set");
        assertThat(delivered.get(0).path("args").path("level").asInt()).isEqualTo(3);
        assertThat(delivered.get(0).path("args").path("mode").asText()).isEqualTo("eco");
        assertThat(server.admin("command.show", VigilTestServer.args().put("id", id)).path("state").asText())
                .isEqualTo("DELIVERED");

        assertThat(result(client("/cmd"), id, "{\"status\":\"succeeded\",\"result\":{\"level\":3}}"))
                .isEqualTo(ResponseCode.CHANGED);
        JsonNode shown = server.admin("command.show", VigilTestServer.args().put("id", id));
        assertThat(shown.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(shown.path("result").asText()).isEqualTo("{\"level\":3}");
        assertThat(vigil(admin("command", "list", "act-1")).out()).contains("SUCCEEDED");
        relation.proactiveCancel();
    }

    @Test
    void a_command_the_profile_does_not_list_is_refused_at_send_and_nothing_is_queued() throws Exception {
        server.addDevice("s1", "sensor");
        CliRun refused = vigil(admin("command", "send", "s1", "on"));
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.errLines()).containsExactly("vigil command send: profile 'sensor' of device 's1' may not"
                + " receive command 'on'");
        assertThat(vigil(admin("command", "send", "act-1", "reboot")).exitCode()).as("not an actuator's").isEqualTo(1);
        assertThat(server.admin("command.list", VigilTestServer.args().put("name", "s1")).path("commands")).isEmpty();
    }

    @Test
    void a_command_to_a_limited_device_is_held_until_its_tier_is_back() throws Exception {
        assertThat(vigil(admin("device", "trust", "act-1", "--pin", "LIMITED")).exitCode()).isZero();
        BlockingQueue<JsonNode> notifications = new LinkedBlockingQueue<>();
        CoapObserveRelation relation = observe(notifications);
        next(notifications);
        assertThat(vigil(admin("command", "send", "act-1", "off")).exitCode()).isZero();
        JsonNode whileLimited = next(notifications);
        assertThat(whileLimited).as("held while LIMITED").isEmpty();

        assertThat(vigil(admin("device", "trust", "act-1", "--release")).exitCode()).isZero();
        JsonNode after = next(notifications);
        assertThat(after).hasSize(1);
        assertThat(after.get(0).path("command").asText()).isEqualTo("off");
        relation.proactiveCancel();
    }

    @Test
    void a_result_for_another_devices_command_is_refused_and_a_sleepy_device_is_told_to_fetch() throws Exception {
        long id = server.admin("command.send", VigilTestServer.args().put("name", "act-1").put("command", "on"))
                .path("id").asLong();
        KeyPair other = server.addDevice("act-2", "actuator");
        CoapEndpoint otherEndpoint = DtlsEndpoints.client(VigilConfig.defaults(), other, server.serverPublicKey());
        try {
            otherEndpoint.start();
            CoapClient stranger = new CoapClient(server.deviceUri().resolve("/cmd"));
            stranger.setEndpoint(otherEndpoint);
            stranger.setTimeout(5_000L);
            assertThat(result(stranger, id, "{\"status\":\"succeeded\"}")).isEqualTo(ResponseCode.FORBIDDEN);
        } finally {
            otherEndpoint.destroy();
        }
        assertThat(server.admin("command.show", VigilTestServer.args().put("id", id)).path("state").asText())
                .isEqualTo("QUEUED");

        try (DeviceClient sleepy = new DeviceClient(server.deviceUri(), actuator, server.serverPublicKey()).timeout(5_000)) {
            DeviceClient.Outcome answer = sleepy.sendTelemetry(SenmlCbor.encode(Map.of("temp", 1.0)));
            assertThat(answer.code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(CBOR.readTree(answer.payload()).path("commands").asBoolean()).isTrue();
        }
        assertThat(result(client("/cmd"), id, "{\"status\":\"failed\",\"result\":\"relay stuck\"}"))
                .isEqualTo(ResponseCode.CHANGED);
        assertThat(server.admin("command.show", VigilTestServer.args().put("id", id)).path("state").asText())
                .isEqualTo("FAILED");
    }

    @Test
    void vigil_device_commands_runs_what_is_on_its_allow_list_and_reports_the_rest_failed() throws Exception {
        java.nio.file.Path state = server.scratch("act-1");
        dev.vigil.provisioning.keys.PemFiles.writeKeyPair(state.resolve(dev.vigil.device.DeviceKeys.KEY_FILE), actuator);
        long ping = server.admin("command.send", VigilTestServer.args().put("name", "act-1").put("command", "ping"))
                .path("id").asLong();
        long set = server.admin("command.send", VigilTestServer.args().put("name", "act-1").put("command", "set"))
                .path("id").asLong();

        DeviceCliRun run = DeviceCliRun.vigilDevice("commands", "--state", state.toString(), "--server",
                server.deviceUri().toString(), "--server-key", server.dataDir().serverPublicKey().toString(),
                "--allow", "ping");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode pinged = server.admin("command.show", VigilTestServer.args().put("id", ping));
        assertThat(pinged.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(pinged.path("result").asText()).isEqualTo("{\"pong\":true}");
        JsonNode refused = server.admin("command.show", VigilTestServer.args().put("id", set));
        assertThat(refused.path("state").asText()).isEqualTo("FAILED");
        assertThat(refused.path("result").asText()).contains("not on its allow-list");
        assertThat(DeviceCliRun.vigilDevice("commands", "--state", state.toString(), "--server",
                server.deviceUri().toString(), "--server-key", server.dataDir().serverPublicKey().toString()).out())
                .isEqualTo("no commands waiting\n");
    }
}
