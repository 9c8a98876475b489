package dev.vigil.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceKeys;
import dev.vigil.server.VigilConfig;
import dev.vigil.server.VigilTestServer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * libcoap's {@code coap-client-gnutls} 4.3.1 against group commit's separate response: with
 * {@code VIGIL.TELEMETRY_ACCEPT_AFTER=0} the node acknowledges a CON POST /t with an empty ACK at once and sends
 * its 2.04 as a CON of its own after the commit; libcoap waits for it and acknowledges it.
 */
class LibcoapSeparateResponseTest {

    private VigilTestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void a_con_post_accepted_first_gets_its_2_04_as_a_separate_response_and_is_stored() throws Exception {
        Libcoap.requireClient();
        server = VigilTestServer.start(config -> config.set(VigilConfig.TELEMETRY_ACCEPT_AFTER, 0, TimeUnit.MILLISECONDS));
        String name = Fixtures.name("lc-separate");
        Path state = server.scratch(name);
        KeyPair key = DeviceKeys.generate(state);
        server.addDevice(name, key.getPublic(), "sensor");

        Libcoap.Run run = Libcoap.client("-B", "5", "-v", "6", "-M", state.resolve(DeviceKeys.KEY_FILE).toString(),
                "-m", "post", "-t", "110", "-e", Fixtures.senmlJson(12.5), server.deviceUri() + "/t");

        // libcoap does not log the empty ACK at -v 6; a 2.04 of type CON is the separate response (a piggy-backed
        // one is an ACK), and exit 0 means coap-client took it as the answer to its request
        List<String> received = run.responses().stream().map(r -> r.type() + " " + r.code()).toList();
        assertThat(received).as(run.output()).containsExactly("CON 2.04");
        assertThat(run.exitCode()).as(run.output()).isZero();
        JsonNode readings = server.readings(name);
        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(12.5);
    }
}
