package dev.vigil.server;

import dev.vigil.provisioning.management.ManagementException;

import static dev.vigil.server.CliRun.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.MutableClock;
import dev.vigil.provisioning.keys.PemFiles;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Continuous verification end to end: real DTLS on loopback, the trust engine in the gate. */
class TrustTest {

    private VigilTestServer server;

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private DeviceClient client(KeyPair key) {
        return new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000);
    }

    private static byte[] reading(double value) {
        return SenmlCbor.encode(Map.of("temp", value));
    }

    private JsonNode show(String name) throws ManagementException {
        return server.admin("device.show", VigilTestServer.args().put("name", name));
    }

    private JsonNode events() throws ManagementException {
        return server.admin("events", VigilTestServer.args().put("limit", 1000)).path("events");
    }

    private String[] admin(String... command) {
        String[] all = java.util.Arrays.copyOf(command, command.length + 6);
        System.arraycopy(new String[] {"--server", server.managementUri().toString(), "--operator-key",
            server.dataDir().adminKey().toString(), "--server-key", server.dataDir().serverPublicKey().toString()}, 0,
            all, command.length, 6);
        return all;
    }

    /** Waits (real time) until the device's state is {@code state}, at most {@code seconds}. */
    private void awaitState(String name, String state, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!show(name).path("state").asText().equals(state) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Test
    void a_device_that_floods_at_ten_times_its_pace_is_limited_within_a_minute_and_released_by_an_operator()
            throws Exception {
        MutableClock clock = new MutableClock();
        server = VigilTestServer.start(clock, config -> { });
        KeyPair key = server.addDevice("meter", "sensor");
        try (DeviceClient device = client(key)) {
            for (int i = 0; i < 40; i++) { // a reading a minute for 40 simulated minutes: its own pace
                assertThat(device.sendTelemetry(reading(i)).code()).isEqualTo(ResponseCode.CHANGED);
                clock.advance(Duration.ofSeconds(60));
            }
            assertThat(show("meter").path("trustTier").asText()).isEqualTo("TRUSTED");

            long floodStart = clock.millis();
            long limitedAfter = -1;
            for (int i = 0; i < 12 && limitedAfter < 0; i++) { // then one every 6 s: ten times its pace
                assertThat(device.sendTelemetry(reading(100 + i)).code()).isEqualTo(ResponseCode.CHANGED);
                if (!show("meter").path("trustTier").asText().equals("TRUSTED")) {
                    limitedAfter = clock.millis() - floodStart;
                }
                clock.advance(Duration.ofSeconds(6));
            }
            assertThat(limitedAfter).as("contained, ms of simulated time after the flood began").isBetween(0L, 60_000L);
        }
        assertThat(events()).extracting(e -> e.path("type").asText()).contains("trust-lowered");
        CliRun explained = vigil(admin("device", "trust", "meter"));
        assertThat(explained.exitCode()).as(explained.err()).isZero();
        assertThat(explained.out()).startsWith("meter: score ").contains("LIMITED").contains("RATE");

        CliRun released = vigil(admin("device", "trust", "meter", "--release"));
        assertThat(released.exitCode()).as(released.err()).isZero();
        assertThat(show("meter").path("trustTier").asText()).isEqualTo("TRUSTED");
        assertThat(server.admin("audit.tail", VigilTestServer.args().put("limit", 5)).path("entries")
                .findValuesAsText("action")).contains("device.trust", "device.trust.release");
    }

    @Test
    void one_key_live_from_two_sockets_at_once_is_suspended_with_both_sessions_cut_within_5_s() throws Exception {
        server = VigilTestServer.start();
        KeyPair key = server.addDevice("twin", "sensor");
        try (DeviceClient original = client(key); DeviceClient clone = client(key)) {
            assertThat(original.sendTelemetry(reading(1)).code()).isEqualTo(ResponseCode.CHANGED);
            long start = System.nanoTime();
            clone.sendTelemetry(reading(2)); // a second session of the same key from another port: the server asks the first
            awaitState("twin", "SUSPENDED", 5);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(show("twin").path("state").asText()).as("suspended within 5 s (%d ms)", took).isEqualTo("SUSPENDED");
            assertThat(original.sendTelemetry(reading(3)).isSuccess()).as("the original's session is cut").isFalse();
            assertThat(clone.sendTelemetry(reading(4)).isSuccess()).as("the clone's session is cut").isFalse();
        }
        assertThat(events()).extracting(e -> e.path("type").asText()).contains("clone-suspected");
        assertThat(show("twin").path("trustTier").asText()).isEqualTo("QUARANTINED");

        // the operator looks, and releases: reinstated and trusted again
        assertThat(vigil(admin("device", "trust", "twin", "--release")).exitCode()).isZero();
        assertThat(show("twin").path("state").asText()).isEqualTo("ACTIVE");
        assertThat(show("twin").path("trustTier").asText()).isEqualTo("TRUSTED");
        try (DeviceClient device = client(key)) {
            assertThat(device.sendTelemetry(reading(5)).code()).isEqualTo(ResponseCode.CHANGED);
        }
    }

    @Test
    void a_device_that_reboots_onto_a_new_port_is_no_clone() throws Exception {
        server = VigilTestServer.start();
        KeyPair key = server.addDevice("rebooter", "sensor");
        for (int i = 0; i < 3; i++) {
            try (DeviceClient device = client(key)) { // each run a new port, the old session gone with its process
                assertThat(device.sendTelemetry(reading(i)).code()).isEqualTo(ResponseCode.CHANGED);
            }
        }
        Thread.sleep(1500); // absence: no suspension follows
        assertThat(show("rebooter").path("state").asText()).isEqualTo("ACTIVE");
        assertThat(show("rebooter").path("trustTier").asText()).isEqualTo("TRUSTED");
    }

    @Test
    void handshakes_presenting_a_device_key_without_its_private_key_suspend_the_device() throws Exception {
        server = VigilTestServer.start();
        KeyPair victim = server.addDevice("victim", "sensor");
        KeyPair attacker = PemFiles.generateP256();
        for (int i = 0; i < 6 && show("victim").path("state").asText().equals("ACTIVE"); i++) {
            assertThat(stuff(victim, attacker)).as("the forged handshake fails").isFalse();
        }
        awaitState("victim", "SUSPENDED", 5);
        assertThat(show("victim").path("state").asText()).isEqualTo("SUSPENDED");
        assertThat(events()).extracting(e -> e.path("type").asText()).contains("handshake-proof-failed",
                "trust-suspended");
    }

    /** A handshake presenting {@code victim}'s public key, signed with {@code attacker}'s private key. */
    private boolean stuff(KeyPair victim, KeyPair attacker) {
        Configuration config = VigilConfig.defaults();
        config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 0);
        config.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 1);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES,
                org.eclipse.californium.scandium.dtls.CertificateType.RAW_PUBLIC_KEY);
        DTLSConnector connector = new DTLSConnector(DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(attacker.getPrivate(), victim.getPublic())
                        .setVerifyKeyPair(false))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(server.serverPublicKey())).build())
                .build());
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConnector(connector).setConfiguration(config).build();
        CoapClient client = new CoapClient(server.deviceUri().resolve("/.well-known/core"));
        client.setEndpoint(endpoint);
        client.setTimeout(3_000L);
        try {
            return client.get() != null;
        } catch (Exception e) {
            return false;
        } finally {
            client.shutdown();
            endpoint.destroy();
        }
    }

    @Test
    void a_restart_keeps_tiers_and_pins() throws Exception {
        server = VigilTestServer.start();
        KeyPair key = server.addDevice("held", "sensor");
        try (DeviceClient device = client(key)) {
            assertThat(device.sendTelemetry(reading(1)).code()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(vigil(admin("device", "trust", "held", "--pin", "limited")).exitCode()).isZero();
        assertThat(show("held").path("trustTier").asText()).isEqualTo("LIMITED");

        server.restart();

        assertThat(show("held").path("trustTier").asText()).isEqualTo("LIMITED");
        JsonNode explained = server.admin("device.trust", VigilTestServer.args().put("name", "held"));
        assertThat(explained.path("pinned").asText()).isEqualTo("LIMITED");
        assertThat(vigil(admin("device", "list", "--tier", "LIMITED")).out()).contains("held");
        assertThat(vigil(admin("device", "list", "--tier", "TRUSTED")).out()).doesNotContain("held");
        assertThat(events()).extracting(e -> e.path("type").asText()).as("events survive a restart")
                .contains("trust-pinned");
    }
}
