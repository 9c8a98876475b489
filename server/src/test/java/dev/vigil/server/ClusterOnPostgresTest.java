package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.store.DatabaseSettings;
import dev.vigil.provisioning.testdb.PostgresServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes as a deployment runs them: one PostgreSQL registry, one DTLS cluster behind a 5-tuple UDP balancer.
 * A device's flow that moves keeps its session; a decommission made through the node that does not hold the
 * session ends it; a node that is lost costs its devices one full handshake with another node and no acknowledged
 * reading.
 */
class ClusterOnPostgresTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresServer postgres;
    private static Path password;

    private TestCluster cluster;
    private UdpBalancer balancer;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = PostgresServer.start();
        password = Files.createTempFile("vigil-db-password", "");
        Files.writeString(password, PostgresServer.PASSWORD + "\n", StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
        Files.deleteIfExists(password);
    }

    @AfterEach
    void stop() throws Exception {
        if (balancer != null) {
            balancer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private DeviceClient deviceBehindBalancer(String name) throws Exception {
        String url = postgres.createDatabase("cluster" + DATABASES.incrementAndGet());
        cluster = new TestCluster(2, new DatabaseSettings(url, PostgresServer.USER, password.toString()), config -> { });
        balancer = new UdpBalancer(cluster.devicePorts());
        KeyPair key = cluster.addDevice(name, "sensor");
        URI viaBalancer = URI.create("coaps://127.0.0.1:" + balancer.address().getPort());
        return new DeviceClient(viaBalancer, key, cluster.node(0).serverPublicKey()).timeout(10_000);
    }

    private static byte[] reading(double value) {
        return SenmlCbor.encode(Map.of("temp", value));
    }

    private static List<Double> values(JsonNode readings) {
        List<Double> values = new ArrayList<>();
        readings.forEach(r -> values.add(r.path("v").asDouble()));
        return values;
    }

    @Test
    void a_moved_device_keeps_its_session_and_a_decommission_through_the_other_node_ends_it() throws Exception {
        try (DeviceClient device = deviceBehindBalancer("roamer")) {
            assertThat(device.sendTelemetry(reading(1)).code()).isEqualTo(ResponseCode.CHANGED);
            InetSocketAddress flow = balancer.clients().get(0);
            int home = balancer.nodeOf(flow);
            int other = 1 - home;

            balancer.move(flow, other);
            assertThat(device.sendTelemetry(reading(2)).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(device.sendTelemetry(reading(3)).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(device.traffic().fullHandshakes()).as("one session, forwarded by its Connection ID").isEqualTo(1);
            assertThat(cluster.node(other).node().fullDeviceHandshakes()).isZero();
            assertThat(values(cluster.node(other).readings("roamer"))).as("one registry: either node shows them")
                    .containsExactly(1.0, 2.0, 3.0);

            long start = System.nanoTime();
            cluster.node(other).admin("device.decommission", VigilTestServer.args().put("name", "roamer"));
            long change = cluster.node(other).admin("status", VigilTestServer.args()).path("changeFeedSeq").asLong();
            while (cluster.node(home).node().changesApplied() < change) {
                assertThat(System.nanoTime() - start).as("the change reaches the node holding the session")
                        .isLessThan(10_000_000_000L);
                Thread.sleep(5);
            }
            System.err.printf("cross-node decommission applied by the session's node after %d ms%n",
                    (System.nanoTime() - start) / 1_000_000);
            DeviceClient.Outcome after = device.timeout(5_000).sendTelemetry(reading(4));
            assertThat(after.isSuccess()).as("a decommissioned device stores nothing more").isFalse();
            assertThat(values(cluster.node(home).readings("roamer"))).containsExactly(1.0, 2.0, 3.0);
        }
    }

    @Test
    void a_lost_node_costs_its_device_one_full_handshake_with_another_node_and_no_acknowledged_reading()
            throws Exception {
        try (DeviceClient device = deviceBehindBalancer("survivor")) {
            for (int i = 1; i <= 3; i++) {
                assertThat(device.sendTelemetry(reading(i)).code()).isEqualTo(ResponseCode.CHANGED);
            }
            InetSocketAddress flow = balancer.clients().get(0);
            int home = balancer.nodeOf(flow);
            int other = 1 - home;

            cluster.lose(home);
            balancer.move(flow, other); // what a balancer does when a node stops answering its health checks
            DeviceClient.Outcome next = device.timeout(3_000).sendTelemetry(reading(4));
            if (!next.isSuccess()) { // the record went to a node that is gone: the device starts over, as the agent does
                device.renewSession();
                next = device.timeout(10_000).sendTelemetry(reading(4));
            }
            assertThat(next.code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(cluster.node(other).node().fullDeviceHandshakes()).isEqualTo(1);
            assertThat(values(cluster.node(other).readings("survivor"))).as("every acknowledged reading, once")
                    .containsExactly(1.0, 2.0, 3.0, 4.0);
        }
    }
}
