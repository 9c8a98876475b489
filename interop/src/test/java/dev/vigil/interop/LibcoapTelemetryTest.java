package dev.vigil.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceKeys;
import dev.vigil.server.VigilTestServer;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** libcoap as the device: the key file {@code vigil-device keygen} writes, used with {@code -M}. */
class LibcoapTelemetryTest {

    private VigilTestServer server;

    @BeforeEach
    void start() {
        Libcoap.requireClient();
        server = VigilTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void registered_libcoap_key_posting_senml_json_is_accepted_and_stored() throws Exception {
        Path state = server.scratch("libcoap-device");
        KeyPair key = DeviceKeys.generate(state);
        server.addDevice("libcoap-1", key.getPublic(), "sensor");

        Libcoap.Run run = Libcoap.client("-B", "10", "-M", state.resolve(DeviceKeys.KEY_FILE).toString(),
                "-m", "post", "-t", "110", "-e", "[{\"n\":\"temp\",\"u\":\"Cel\",\"v\":23.5}]",
                server.deviceUri() + "/t");

        assertThat(run.output()).doesNotContain("4.").doesNotContain("ERR");
        var readings = server.readings("libcoap-1");
        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(23.5);
        assertThat(readings.get(0).path("unit").asText()).isEqualTo("Cel");
    }

    @Test
    void unregistered_libcoap_key_is_refused_with_bad_certificate() throws Exception {
        Path state = server.scratch("stranger");
        DeviceKeys.generate(state);
        server.addDevice("someone-else", dev.vigil.provisioning.PemFiles.generateP256().getPublic(), "sensor");

        Libcoap.Run run = Libcoap.client("-B", "10", "-M", state.resolve(DeviceKeys.KEY_FILE).toString(),
                "-m", "post", "-t", "110", "-e", "[{\"n\":\"temp\",\"v\":1}]", server.deviceUri() + "/t");

        assertThat(run.output()).contains("Alert '42'");
        assertThat(server.readings("someone-else")).isEmpty();
    }
}
