package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceClient.Outcome;
import dev.vigil.device.SenmlCbor;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /t} over real DTLS on loopback, with the reference device client. */
class TelemetryTest {

    private VigilTestServer server;

    @BeforeEach
    void start() {
        server = VigilTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private DeviceClient client(KeyPair key) {
        return new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(10_000);
    }

    private static Request post(int contentFormat, byte[] payload) {
        Request request = Request.newPost();
        request.getOptions().setContentFormat(contentFormat);
        request.setPayload(payload);
        return request;
    }

    @Test
    void registered_device_reading_is_acknowledged_and_still_stored_after_a_restart() throws Exception {
        KeyPair key = server.addDevice("sensor-1", "sensor");
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("temp", 21.5);
        values.put("hum", 40.0);
        try (DeviceClient device = client(key)) {
            assertThat(device.sendTelemetry(SenmlCbor.encode(values)).code()).isEqualTo(ResponseCode.CHANGED);
        }

        server.restart();

        var readings = server.readings("sensor-1");
        assertThat(readings).hasSize(2);
        assertThat(readings.get(0).path("name").asText()).isEqualTo("temp");
        assertThat(readings.get(0).path("v").asDouble()).isEqualTo(21.5);
        assertThat(readings.get(1).path("name").asText()).isEqualTo("hum");
        assertThat(readings.get(0).path("receivedAt").asText()).isNotEmpty();
    }

    private static Request numbered(long firstSeq, double... values) {
        StringBuilder pack = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            pack.append(i == 0 ? "" : ",").append("{\"n\":\"v\",\"v\":").append(values[i]).append('}');
        }
        Request request = post(110, pack.append(']').toString().getBytes(StandardCharsets.UTF_8));
        request.getOptions().addUriQuery("s=" + firstSeq);
        return request;
    }

    private java.util.List<Double> storedValues(String device) throws Exception {
        java.util.List<Double> values = new java.util.ArrayList<>();
        server.readings(device).forEach(r -> values.add(r.path("v").asDouble()));
        return values;
    }

    @Test
    void numbered_readings_are_stored_once_however_often_a_device_repeats_them() throws Exception {
        KeyPair key = server.addDevice("agent-1", "sensor");
        try (DeviceClient device = client(key)) {
            assertThat(device.send("/t", numbered(0, 1, 2, 3)).code()).isEqualTo(ResponseCode.CHANGED);
            Outcome repeated = device.send("/t", numbered(0, 1, 2, 3)); // its 2.04 was lost: sent again
            assertThat(repeated.code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(Payloads.CBOR.readTree(repeated.payload()).path("seq")
                    .asLong()).as("the 2.04 of a repeat names the highest number stored").isEqualTo(2);
            assertThat(device.send("/t", numbered(2, 3, 4, 5)).code()).as("one old, two new").isEqualTo(ResponseCode.CHANGED);
            assertThat(device.send("/t", numbered(10, 11)).code()).as("a gap: readings dropped on the device")
                    .isEqualTo(ResponseCode.CHANGED);
            assertThat(device.send("/t", numbered(7, 8)).code()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(storedValues("agent-1")).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 11.0);
    }

    @Test
    void a_malformed_sequence_query_is_4_00_and_nothing_is_stored() throws Exception {
        KeyPair key = server.addDevice("agent-2", "sensor");
        try (DeviceClient device = client(key)) {
            for (String query : new String[] {"s=", "s=-1", "s=x1", "s=99999999999999999", "s=1&s=2", "seq=1", "s=1.5"}) {
                Request request = numbered(0, 1);
                request.getOptions().clearUriQuery();
                for (String part : query.split("&")) {
                    request.getOptions().addUriQuery(part);
                }
                assertThat(device.send("/t", request).code()).as(query).isEqualTo(ResponseCode.BAD_REQUEST);
            }
        }
        assertThat(storedValues("agent-2")).isEmpty();
    }

    @Test
    void senml_json_with_base_name_and_unit_is_resolved() throws Exception {
        KeyPair key = server.addDevice("sensor-2", "sensor");
        byte[] pack = "[{\"bn\":\"urn:dev:sensor-2:\",\"bu\":\"Cel\",\"n\":\"temp\",\"v\":22.5},{\"n\":\"door\",\"vb\":true}]"
                .getBytes(StandardCharsets.UTF_8);
        try (DeviceClient device = client(key)) {
            assertThat(device.send("/t", post(110, pack)).code()).isEqualTo(ResponseCode.CHANGED);
        }
        var readings = server.readings("sensor-2");
        assertThat(readings.get(0).path("name").asText()).isEqualTo("urn:dev:sensor-2:temp");
        assertThat(readings.get(0).path("unit").asText()).isEqualTo("Cel");
        assertThat(readings.get(1).path("vb").asBoolean()).isTrue();
    }

    @Test
    void unregistered_key_may_only_enroll_so_its_reading_is_4_03_and_nothing_is_stored() throws Exception {
        server.addDevice("sensor-1", "sensor");
        KeyPair stranger = dev.vigil.provisioning.keys.PemFiles.generateP256();
        try (DeviceClient device = client(stranger)) {
            Outcome outcome = device.sendTelemetry(SenmlCbor.encode(Map.of("temp", 99.0)));
            assertThat(outcome.code()).isEqualTo(ResponseCode.FORBIDDEN);
        }
        assertThat(server.readings("sensor-1")).isEmpty();
    }

    @Test
    void malformed_senml_is_4_00_and_nothing_is_stored() throws Exception {
        KeyPair key = server.addDevice("sensor-1", "sensor");
        try (DeviceClient device = client(key)) {
            assertThat(device.send("/t", post(110, "[{\"n\":\"temp\",\"v\":".getBytes())).code())
                    .isEqualTo(ResponseCode.BAD_REQUEST);
            assertThat(device.send("/t", post(110, "{\"n\":\"temp\",\"v\":1}".getBytes())).code())
                    .as("a record outside a pack").isEqualTo(ResponseCode.BAD_REQUEST);
            assertThat(device.send("/t", post(110, "[{\"n\":\"temp\",\"v\":\"hot\"}]".getBytes())).code())
                    .as("a string in v").isEqualTo(ResponseCode.BAD_REQUEST);
            assertThat(device.send("/t", post(112, new byte[] {(byte) 0x9f, 0x01})).code())
                    .as("truncated CBOR").isEqualTo(ResponseCode.BAD_REQUEST);
            assertThat(device.send("/t", post(110, "[{\"bv\":1e308,\"n\":\"temp\",\"v\":1e308}]".getBytes())).code())
                    .as("bv + v overflows to Infinity").isEqualTo(ResponseCode.BAD_REQUEST);
            assertThat(device.send("/t", post(110, "[{\"n\":\"temp\",\"v\":1,\"t\":1.7e308}]".getBytes())).code())
                    .as("a time far beyond now").isEqualTo(ResponseCode.BAD_REQUEST);
        }
        assertThat(server.readings("sensor-1")).isEmpty();
    }

    @Test
    void wrong_content_format_is_4_15_and_nothing_is_stored() throws Exception {
        KeyPair key = server.addDevice("sensor-1", "sensor");
        try (DeviceClient device = client(key)) {
            Request request = post(MediaTypeRegistry.APPLICATION_JSON, "[{\"n\":\"temp\",\"v\":1}]".getBytes());
            assertThat(device.send("/t", request).code()).isEqualTo(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
        }
        assertThat(server.readings("sensor-1")).isEmpty();
    }

    @Test
    void oversize_payload_is_4_13_and_nothing_is_stored() throws Exception {
        KeyPair key = server.addDevice("sensor-1", "sensor");
        StringBuilder pack = new StringBuilder("[");
        for (int i = 0; pack.length() < 5000; i++) {
            pack.append(i == 0 ? "" : ",").append("{\"n\":\"t").append(i).append("\",\"v\":").append(i).append('}');
        }
        pack.append(']');
        try (DeviceClient device = client(key)) {
            assertThat(device.send("/t", post(110, pack.toString().getBytes())).code())
                    .isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
        }
        assertThat(server.readings("sensor-1")).isEmpty();
    }
}
