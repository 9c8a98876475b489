package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.keys.PemFiles;
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
 * A hostile gateway in relay mode: it carries a relay child's own DTLS session and can alter or replay the
 * child's records, but not forge them. A record with a flipped byte fails its MAC and is dropped by Scandium
 * (the reading is not stored, the session survives); a recorded record sent again falls in the DTLS replay
 * window and is dropped unanswered (stored once).
 */
class RogueRelayTest {

    private VigilTestServer server;
    private UdpHop relay;
    private DeviceClient child;

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        server.addDevice("gw1", "gateway");
        KeyPair key = PemFiles.generateP256();
        server.admin("device.add", VigilTestServer.args().put("name", "r1").put("profile", "sensor").put("via", "gw1")
                .put("mode", "relay").put("publicKey", PemFiles.publicKeyPem(key.getPublic())));
        URI uri = server.deviceUri();
        relay = new UdpHop(new InetSocketAddress(uri.getHost(), uri.getPort()), "127.0.0.1");
        child = new DeviceClient(URI.create("coaps://127.0.0.1:" + relay.port()), key, server.serverPublicKey())
                .timeout(5_000);
    }

    @AfterEach
    void stop() throws Exception {
        child.close();
        relay.close();
        server.close();
    }

    private DeviceClient.Outcome send(double value) {
        return child.sendTelemetry(SenmlCbor.encode(Map.of("temp", value)));
    }

    private List<Double> stored() throws Exception {
        List<Double> values = new ArrayList<>();
        for (JsonNode reading : server.readings("r1")) {
            values.add(reading.path("v").asDouble());
        }
        return values;
    }

    @Test
    void a_relay_flipping_a_byte_of_the_childs_record_gets_it_dropped_and_the_next_honest_reading_is_stored()
            throws Exception {
        assertThat(send(20.0).code()).isEqualTo(ResponseCode.CHANGED);
        relay.tampering(true);
        DeviceClient.Outcome altered = child.timeout(3_000).sendTelemetry(SenmlCbor.encode(Map.of("temp", 99.0)));
        assertThat(altered.code()).as("the server answers nothing it could not verify: " + altered).isNull();
        assertThat(relay.tampered()).isPositive();
        relay.tampering(false);
        assertThat(child.timeout(5_000).sendTelemetry(SenmlCbor.encode(Map.of("temp", 21.0))).code())
                .as("same session, next honest reading").isEqualTo(ResponseCode.CHANGED);
        assertThat(stored()).containsExactly(20.0, 21.0);
    }

    @Test
    void a_relay_replaying_the_childs_record_gets_no_answer_and_the_reading_is_stored_once() throws Exception {
        assertThat(send(20.0).code()).isEqualTo(ResponseCode.CHANGED);
        int answers = relay.answers();
        relay.replayLastApplicationRecord();
        Thread.sleep(1_000); // proving absence: the replay window drops it before CoAP sees it (no duplicate ACK)
        assertThat(relay.answers()).as("no answer to the replayed record").isEqualTo(answers);
        assertThat(stored()).containsExactly(20.0);
        assertThat(send(21.0).code()).isEqualTo(ResponseCode.CHANGED);
        assertThat(stored()).containsExactly(20.0, 21.0);
    }
}
