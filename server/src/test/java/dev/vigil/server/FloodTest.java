package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.keys.PemFiles;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Floods as tests with bounded time: throw-away keys handshaking as fast as they can, and Block1
 * transfers of unknown keys, while registered devices keep sending and re-handshaking. The connection
 * store is made small (80) so that, without the cap on enrollment sessions, the flood would fill it and
 * refuse the devices' handshakes.
 */
class FloodTest {

    private static final int DEVICES = 8;
    private static final int READINGS = 16;
    private static final int STORE = 80;
    private static final int ENROLLMENT_CAP = 40;
    private static final int FLOODERS = 3;

    private VigilTestServer server;

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void registered_devices_keep_a_100_percent_success_rate_through_an_unknown_key_and_block1_flood()
            throws Exception {
        server = VigilTestServer.start(config -> {
            config.set(DtlsConfig.DTLS_MAX_CONNECTIONS, STORE);
            config.set(VigilConfig.MAX_ENROLLMENT_SESSIONS, Integer.getInteger("flood.cap", ENROLLMENT_CAP));
            config.set(VigilConfig.ENROLLMENT_SESSION_LIFETIME, 12, TimeUnit.SECONDS); // outlives the flood
            config.set(VigilConfig.SESSION_MAX_LIFETIME, 2, TimeUnit.SECONDS); // devices re-handshake during the flood
        });
        List<KeyPair> keys = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            keys.add(server.addDevice("d" + i, "sensor"));
        }
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicInteger floodHandshakes = new AtomicInteger();
        AtomicInteger refusedAtHandshake = new AtomicInteger();
        AtomicInteger block1Sent = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(DEVICES + 3);
        List<Future<int[]>> devices = new ArrayList<>();
        try {
            for (int t = 0; t < FLOODERS; t++) {
                pool.submit(() -> {
                    while (flooding.get()) {
                        // a fresh key each time, dropped without close_notify: an established session left behind
                        DeviceClient stranger = new DeviceClient(server.deviceUri(), PemFiles.generateP256(),
                                server.serverPublicKey()).timeout(2_000);
                        DeviceClient.Outcome outcome = stranger.send("/.well-known/core", Request.newGet());
                        floodHandshakes.incrementAndGet();
                        if (!DeviceClient.answered(outcome)) {
                            refusedAtHandshake.incrementAndGet();
                        }
                        stranger.close();
                    }
                    return null;
                });
            }
            pool.submit(() -> {
                try (DeviceClient stranger = new DeviceClient(server.deviceUri(), PemFiles.generateP256(),
                        server.serverPublicKey()).timeout(500)) {
                    while (flooding.get()) {
                        Request big = Request.newPost();
                        big.setPayload(new byte[4000]);
                        big.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
                        stranger.send("/enroll", big);
                        block1Sent.incrementAndGet();
                    }
                }
                return null;
            });
            for (KeyPair key : keys) {
                devices.add(pool.submit(() -> {
                    int ok = 0;
                    int failed = 0;
                    try (DeviceClient device = new DeviceClient(server.deviceUri(), key, server.serverPublicKey())
                            .timeout(10_000)) {
                        for (int i = 0; i < READINGS; i++) {
                            DeviceClient.Outcome outcome = device.sendTelemetry(SenmlCbor.encode(Map.of("n", (double) i)));
                            if (outcome.code() == ResponseCode.CHANGED) {
                                ok++;
                            } else {
                                failed++;
                            }
                            Thread.sleep(600); // within the sensor profile's rate (1/s, burst 10)
                        }
                    }
                    return new int[] {ok, failed};
                }));
            }
            int ok = 0;
            int failed = 0;
            for (Future<int[]> device : devices) {
                int[] result = device.get(120, TimeUnit.SECONDS);
                ok += result[0];
                failed += result[1];
            }
            int enrollmentSessions = server.node().enrollmentSessions();
            flooding.set(false);

            assertThat(failed).as("registered readings refused or unanswered during the flood").isZero();
            assertThat(ok).isEqualTo(DEVICES * READINGS);
            // a soft cap: handshakes already past the check when it is reached still complete (at most one per flooder)
            assertThat(enrollmentSessions).isLessThanOrEqualTo(ENROLLMENT_CAP + FLOODERS + 1);
            assertThat(floodHandshakes.get()).as("the flood was real").isGreaterThan(ENROLLMENT_CAP);
            assertThat(refusedAtHandshake.get()).as("unknown keys past the cap are refused").isPositive();
            assertThat(block1Sent.get()).isPositive();
        } finally {
            flooding.set(false);
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        for (int i = 0; i < DEVICES; i++) {
            assertThat(server.readings("d" + i)).as("every acknowledged reading is stored").hasSize(READINGS);
        }
        // what the flood left behind is gone once the enrollment lifetime has passed: memory returns to the devices'
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((server.node().enrollmentSessions() > 0 || server.node().deviceConnections() > DEVICES)
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(server.node().enrollmentSessions()).isZero();
        assertThat(server.node().deviceConnections()).isLessThanOrEqualTo(DEVICES);
    }

    @Test
    void a_peer_that_ignores_close_notify_keeps_neither_its_session_nor_server_memory() throws Exception {
        server = VigilTestServer.start(config -> config.set(VigilConfig.SESSION_MAX_LIFETIME, 1, TimeUnit.SECONDS));
        KeyPair key = server.addDevice("deaf", "sensor");
        try (AlertDroppingRelay relay = new AlertDroppingRelay(server.node().deviceAddress());
                DeviceClient device = new DeviceClient(java.net.URI.create("coaps://127.0.0.1:" + relay.port()), key,
                        server.serverPublicKey()).timeout(3_000)) {
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("n", 1.0))).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(server.node().deviceConnections()).isEqualTo(1);

            // past its lifetime the server says close_notify (the relay swallows it) and then drops the connection
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((relay.alertsDropped.get() == 0 || server.node().deviceConnections() > 0)
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(relay.alertsDropped.get()).as("close_notify sent").isPositive();
            assertThat(server.node().deviceConnections()).as("connection dropped though the peer never closed").isZero();

            // the deaf peer goes on over its old session: nothing of it is served
            DeviceClient.Outcome after = device.sendTelemetry(SenmlCbor.encode(Map.of("n", 2.0)));
            assertThat(after.code()).isNotEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.readings("deaf")).hasSize(1);
    }
}
