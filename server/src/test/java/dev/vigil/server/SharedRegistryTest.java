package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.DatabaseSettings;
import dev.vigil.provisioning.management.ManagementException;
import dev.vigil.provisioning.testdb.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two Vigil nodes in this JVM, each with its own DTLS ports and data directory, on one real PostgreSQL
 * registry: a change made through one node's management endpoint takes effect on the other node's live sessions.
 */
class SharedRegistryTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresServer postgres;

    private VigilTestServer nodeA;
    private VigilTestServer nodeB;

    @BeforeAll
    static void startPostgres() {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        postgres.close();
    }

    @BeforeEach
    void twoNodes() throws IOException {
        String url = postgres.createDatabase("cluster" + DATABASES.incrementAndGet());
        Path rootA = Files.createTempDirectory("vigil-node-a");
        Path rootB = Files.createTempDirectory("vigil-node-b");
        Path password = rootA.resolve("db-password");
        Files.writeString(password, PostgresServer.PASSWORD + "\n", StandardCharsets.UTF_8);
        DatabaseSettings registry = new DatabaseSettings(url, PostgresServer.USER, password.toString());
        DataDir a = DataDir.init(rootA.resolve("data"), registry, Map.of(), null);
        DataDir b = DataDir.init(rootB.resolve("data"), registry, Map.of(),
                new DataDir.NodeKeys(a.serverKey(), a.auditKey()));
        Files.copy(a.adminKey(), b.adminKey()); // the operator's own key, for this test to reach node B with
        nodeA = VigilTestServer.startOn(rootA, a, config -> config.set(VigilConfig.NODE_NAME, "node-a"));
        nodeB = VigilTestServer.startOn(rootB, b, config -> config.set(VigilConfig.NODE_NAME, "node-b"));
    }

    @AfterEach
    void stopNodes() throws IOException {
        nodeB.close();
        nodeA.close();
    }

    private static byte[] reading() {
        return SenmlCbor.encode(Map.of("temp", 20.0));
    }

    @Test
    void a_device_decommissioned_through_node_a_is_refused_on_its_live_session_with_node_b() throws Exception {
        KeyPair key = nodeA.addDevice("roamer", "sensor");
        assertThat(nodeB.serverPublicKey()).isEqualTo(nodeA.serverPublicKey());
        try (DeviceClient device = new DeviceClient(nodeB.deviceUri(), key, nodeB.serverPublicKey()).timeout(5_000)) {
            assertThat(device.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);

            long start = System.nanoTime();
            nodeA.admin("device.decommission", VigilTestServer.args().put("name", "roamer"));
            long decommissioned = newestChange(nodeA);
            await(() -> nodeB.node().changesApplied() >= decommissioned);
            long applied = (System.nanoTime() - start) / 1_000_000;
            DeviceClient.Outcome next = device.sendTelemetry(reading());
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.err.printf("cross-node revocation: applied by node B %d ms, its next request refused %d ms after"
                    + " the decommission on node A%n", applied, millis);
            assertRefused(next);
        }
    }

    @Test
    void after_postgresql_restarts_the_next_operation_on_node_a_succeeds_first_time_and_reaches_node_b() throws Exception {
        KeyPair key = nodeA.addDevice("survivor", "sensor");
        try (DeviceClient device = new DeviceClient(nodeB.deviceUri(), key, nodeB.serverPublicKey()).timeout(5_000)) {
            assertThat(device.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);

            postgres.stop();
            Thread.sleep(1000); // down for a second (a real restart takes longer): past the pool's 0.5 s window
            postgres.startAgain();
            // the pool checks the connections the restart cut before handing one out: the first attempt succeeds
            nodeA.admin("device.suspend", VigilTestServer.args().put("name", "survivor"));
            long suspended = newestChange(nodeA);
            await(() -> nodeB.node().changesApplied() >= suspended);
            assertRefused(device.sendTelemetry(reading()));
        }
    }

    @Test
    void a_device_node_a_contains_for_probing_is_served_at_that_tier_on_its_live_session_with_node_b()
            throws Exception {
        KeyPair key = nodeA.addDevice("prober", "sensor");
        try (DeviceClient onB = new DeviceClient(nodeB.deviceUri(), key, nodeB.serverPublicKey()).timeout(5_000);
                DeviceClient onA = new DeviceClient(nodeA.deviceUri(), key, nodeA.serverPublicKey()).timeout(5_000)) {
            assertThat(onB.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(tier(nodeB, "prober")).isEqualTo("TRUSTED");

            for (String resource : List.of("admin", "debug", "shell", "fw-upload", "config-write", "keys")) {
                Request probe = Request.newPost();
                probe.setPayload("x");
                assertThat(onA.send("/" + resource, probe).code()).isEqualTo(ResponseCode.FORBIDDEN);
            }
            // node A's engine saw the scanning: LIMITED, then QUARANTINED (score 25 after the sixth probe)
            await(() -> tier(nodeA, "prober").equals("QUARANTINED"));
            // node A records the tier in the registry a moment after its engine decided it (its trust worker)
            await(() -> tier(nodeB, "prober").equals("QUARANTINED"));
            assertThat(onB.sendTelemetry(reading()).code()).as("quarantined: remediation only, on node B too")
                    .isEqualTo(ResponseCode.FORBIDDEN);

            nodeB.admin("device.trust.release", VigilTestServer.args().put("name", "prober"));
            long released = newestChange(nodeB);
            await(() -> nodeA.node().changesApplied() >= released);
            assertThat(tier(nodeA, "prober")).isEqualTo("TRUSTED");
            assertThat(onB.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);
            // the release cleared node A's own counters too: its next reading there does not lower it again
            assertThat(onA.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(tier(nodeA, "prober")).isEqualTo("TRUSTED");
        }
    }

    private static String tier(VigilTestServer node, String device) {
        try {
            return node.admin("device.show", VigilTestServer.args().put("name", device)).path("trustTier").asText();
        } catch (ManagementException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void vigil_status_on_either_node_lists_both_nodes() throws Exception {
        nodeA.addDevice("d1", "sensor");
        CliRun status = nodeB.vigil("status");
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).contains("node-a", "node-b", "LAST SEQ");
    }

    private static long newestChange(VigilTestServer node) throws ManagementException {
        return node.admin("status", VigilTestServer.args()).path("changeFeedSeq").asLong();
    }

    /** Refused at the re-handshake the cut session forced, or by the gate (4.03) — never accepted. */
    private static void assertRefused(DeviceClient.Outcome outcome) {
        assertThat(outcome.isSuccess()).isFalse();
        if (outcome.code() != null) {
            assertThat(outcome.code()).isEqualTo(ResponseCode.FORBIDDEN);
        } else {
            assertThat(outcome.failure()).contains("refused the DTLS handshake");
        }
    }

    /** Waits for what the other node does on its own thread (generous: correctness, not speed). */
    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("within 15 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
