package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a Prometheus scrape of a node shows after devices did things over real DTLS. */
class MetricsTest {

    private VigilTestServer server;

    @BeforeEach
    void start() {
        server = VigilTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.node().metricsPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_scrape_shows_handshakes_requests_decisions_responses_readings_events_tiers_and_the_jvm() throws Exception {
        KeyPair key = server.addDevice("m1", "sensor");
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000)) {
            for (int i = 0; i < 3; i++) {
                assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("temp", 20.0 + i))).code())
                        .isEqualTo(ResponseCode.CHANGED);
            }
            assertThat(device.send("/nothing-here", Request.newPost()).code()).isEqualTo(ResponseCode.FORBIDDEN);
        }
        HttpResponse<String> scrape = get("/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body())
                .containsPattern("vigil_handshakes_total\\{kind=\"full\"} 1(\\.0)?\\n")
                .containsPattern("vigil_requests_total\\{resource=\"t\"} 3(\\.0)?\\n")
                .containsPattern("vigil_requests_total\\{resource=\"other\"} 1(\\.0)?\\n")
                .containsPattern("vigil_decisions_total\\{decision=\"allowed\"} 3(\\.0)?\\n")
                .containsPattern("vigil_decisions_total\\{decision=\"resource_not_allowed\"} 1(\\.0)?\\n")
                .containsPattern("vigil_responses_total\\{code=\"2.04\"} 3(\\.0)?\\n")
                .containsPattern("vigil_responses_total\\{code=\"4.03\"} 1(\\.0)?\\n")
                .containsPattern("vigil_readings_stored_total 3(\\.0)?\\n")
                .containsPattern("vigil_security_events_total\\{type=\"policy-denial\"} 1(\\.0)?\\n")
                .containsPattern("vigil_gate_seconds_count 4(\\.0)?\\n")
                .containsPattern("vigil_sessions\\{kind=\"all\"} 1(\\.0)?\\n")
                .contains("vigil_trust_devices{tier=\"TRUSTED\"}")
                .contains("jvm_memory_used_bytes");
        HttpResponse<String> health = get("/-/healthy");
        assertThat(health.statusCode()).isEqualTo(200);

        // every series the shipped Grafana dashboard asks for is one this scrape has
        String dashboard = java.nio.file.Files.readString(java.nio.file.Path.of("../deploy/grafana/vigil-node.json"));
        java.util.regex.Matcher metric = java.util.regex.Pattern.compile("\\b((?:vigil|jvm)_[a-z_]+)\\{").matcher(dashboard);
        int asked = 0;
        while (metric.find()) {
            asked++;
            assertThat(scrape.body()).as("the dashboard's %s", metric.group(1))
                    .containsPattern("(?m)^" + metric.group(1) + "[{ ]");
        }
        assertThat(asked).isGreaterThanOrEqualTo(10);
    }
}
