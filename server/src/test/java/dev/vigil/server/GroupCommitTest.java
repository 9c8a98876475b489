package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceClient.Outcome;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit ({@code VIGIL.TELEMETRY_GROUP_COMMIT}, the default) over real DTLS on loopback with the reference
 * device client: many devices at once, each answered only after the commit of the group its pack joined.
 */
class GroupCommitTest {

    private VigilTestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** {@code POST /t?s=N} of one reading {@code n} = N (SenML JSON). */
    static Request numbered(long seq) {
        Request request = Request.newPost();
        request.getOptions().setContentFormat(110);
        request.setPayload(("[{\"n\":\"n\",\"v\":" + seq + "}]").getBytes(StandardCharsets.UTF_8));
        request.getOptions().addUriQuery("s=" + seq);
        return request;
    }

    /** The type of the response {@code request} gets (CON: separate, ACK: piggy-backed). */
    private static CompletableFuture<Type> responseType(Request request) {
        CompletableFuture<Type> type = new CompletableFuture<>();
        request.addMessageObserver(new MessageObserverAdapter() {
            @Override
            public void onResponse(Response response) {
                type.complete(response.getType());
            }
        });
        return type;
    }

    private List<Long> stored(String device) throws Exception {
        List<Long> values = new ArrayList<>();
        server.readings(device).forEach(r -> values.add(r.path("v").asLong()));
        return values;
    }

    @Test
    void many_devices_at_once_have_every_acknowledged_reading_stored_exactly_once() throws Exception {
        server = VigilTestServer.start();
        int devices = 12;
        int packs = 8; // with 2 resends: 10 requests, the sensor profile's burst
        List<KeyPair> keys = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            keys.add(server.addDevice("g-" + d, "sensor"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(devices);
        Map<Integer, Future<List<Long>>> acked = new TreeMap<>();
        try {
            for (int d = 0; d < devices; d++) {
                KeyPair key = keys.get(d);
                acked.put(d, pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey())
                            .timeout(30_000)) {
                        for (long seq = 0; seq < packs; seq++) {
                            if (device.send("/t", numbered(seq)).code() == ResponseCode.CHANGED) {
                                mine.add(seq);
                            }
                            if (seq % 4 == 3) { // a resend, as after a lost 2.04: acknowledged, not stored again
                                Outcome again = device.send("/t", numbered(seq));
                                assertThat(again.code()).isEqualTo(ResponseCode.CHANGED);
                                assertThat(Payloads.CBOR.readTree(again.payload()).path("seq").asLong()).isEqualTo(seq);
                            }
                        }
                    }
                    return mine;
                }));
            }
            for (Map.Entry<Integer, Future<List<Long>>> device : acked.entrySet()) {
                List<Long> mine = device.getValue().get(5, TimeUnit.MINUTES);
                assertThat(mine).as("packs of g-%d acknowledged", device.getKey()).hasSize(packs);
                assertThat(stored("g-" + device.getKey())).as("readings of g-%d stored", device.getKey())
                        .containsExactlyElementsOf(mine);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_separate_response_carries_the_2_04_and_its_payload_to_the_device_client() throws Exception {
        // accept at once: every CON pack gets an empty ACK first and its 2.04 as a separate CON response
        server = VigilTestServer.start(config -> config.set(VigilConfig.TELEMETRY_ACCEPT_AFTER, 0, TimeUnit.MILLISECONDS));
        KeyPair key = server.addDevice("sep-1", "sensor");
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(30_000)) {
            Request first = numbered(7);
            CompletableFuture<Type> type = responseType(first);
            Outcome stored = device.send("/t", first);
            assertThat(stored.code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(type.get(30, TimeUnit.SECONDS)).as("the 2.04's type").isEqualTo(Type.CON);

            Outcome replay = device.send("/t", numbered(7));
            assertThat(replay.code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(replay.options().getContentFormat()).isEqualTo(MediaTypeRegistry.APPLICATION_CBOR);
            assertThat(Payloads.CBOR.readTree(replay.payload()).path("seq").asLong()).isEqualTo(7);
        }
        assertThat(stored("sep-1")).containsExactly(7L);
    }

    @Test
    void with_group_commit_off_each_pack_is_its_own_transaction_and_answered_piggy_backed() throws Exception {
        server = VigilTestServer.start(config -> config.set(VigilConfig.TELEMETRY_GROUP_COMMIT, false));
        KeyPair key = server.addDevice("old-1", "sensor");
        try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(30_000)) {
            Request first = numbered(0);
            CompletableFuture<Type> type = responseType(first);
            assertThat(device.send("/t", first).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(type.get(30, TimeUnit.SECONDS)).as("the 2.04's type").isEqualTo(Type.ACK);
            assertThat(device.send("/t", numbered(0)).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(device.send("/t", numbered(1)).code()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(stored("old-1")).containsExactly(0L, 1L);
    }

}
