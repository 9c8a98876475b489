package dev.vigil.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.store.DatabaseSettings;
import dev.vigil.provisioning.testdb.PostgresServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/cluster-demo}: a throw-away PostgreSQL, two Vigil nodes on it forming a DTLS cluster, and the
 * test UDP balancer in front; a device whose flow moves to the other node keeps its session, is decommissioned
 * through the node that does not hold the session, and is refused. Prints each step; exits 1 if one misbehaves.
 */
public final class ClusterDemo {

    private ClusterDemo() {
    }

    /** A step that did not behave as described. */
    private static final class Misbehaved extends Exception {
        Misbehaved(String message) {
            super(message);
        }
    }

    public static void main(String[] args) throws Exception {
        int code = 0;
        try {
            run();
            System.out.println("cluster-demo: every step behaved as described");
        } catch (Misbehaved e) {
            System.out.println("cluster-demo: FAILED: " + e.getMessage());
            code = 1;
        }
        System.exit(code);
    }

    private static void check(boolean ok, String what) throws Misbehaved {
        if (!ok) {
            throw new Misbehaved(what);
        }
    }

    private static void step(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }

    private static void run() throws Exception {
        Path password = Files.createTempFile("vigil-db-password", "");
        try (PostgresServer postgres = PostgresServer.start()) {
            Files.writeString(password, PostgresServer.PASSWORD + "\n", StandardCharsets.UTF_8);
            String url = postgres.createDatabase("vigil");
            step("1. PostgreSQL (a throw-away server from the Debian packages): %s", url);
            try (TestCluster cluster = new TestCluster(2, new DatabaseSettings(url, PostgresServer.USER,
                    password.toString()), config -> { });
                    UdpBalancer balancer = new UdpBalancer(cluster.devicePorts())) {
                step("2. node-1 devices on 127.0.0.1:%d, node-2 on 127.0.0.1:%d; one registry, one DTLS cluster (node"
                        + " id in the Connection ID); the UDP balancer on 127.0.0.1:%d spreads flows by 5-tuple",
                        cluster.node(0).node().deviceAddress().getPort(), cluster.node(1).node().deviceAddress().getPort(),
                        balancer.address().getPort());
                KeyPair key = cluster.addDevice("roamer", "sensor");
                step("3. device 'roamer' added once, through node-1");
                URI viaBalancer = URI.create("coaps://127.0.0.1:" + balancer.address().getPort());
                try (DeviceClient device = new DeviceClient(viaBalancer, key, cluster.node(0).serverPublicKey())
                        .timeout(10_000)) {
                    roam(cluster, balancer, device);
                }
            }
        } finally {
            Files.deleteIfExists(password);
        }
    }

    private static void roam(TestCluster cluster, UdpBalancer balancer, DeviceClient device) throws Exception {
        check(device.sendTelemetry(reading(1)).isSuccess(), "the first reading was not acknowledged");
        InetSocketAddress flow = balancer.clients().get(0);
        int home = balancer.nodeOf(flow);
        int other = 1 - home;
        step("4. reading 1 acknowledged: the balancer sent the device to node-%d, one full handshake", home + 1);

        balancer.move(flow, other);
        for (int i = 2; i <= 3; i++) {
            check(device.sendTelemetry(reading(i)).isSuccess(), "reading " + i + " after the move was not acknowledged");
        }
        check(device.traffic().fullHandshakes() == 1, "the move cost the device a new handshake");
        check(cluster.node(other).node().fullDeviceHandshakes() == 0, "node-" + (other + 1) + " made a session");
        step("5. the balancer moved the flow to node-%d (as a NAT re-binding would): readings 2 and 3 acknowledged,"
                + " no new handshake — node-%d forwarded each record to node-%d by its Connection ID",
                other + 1, other + 1, home + 1);

        long start = System.nanoTime();
        cluster.node(other).admin("device.decommission", VigilTestServer.args().put("name", "roamer"));
        long acknowledged = millisSince(start);
        long change = cluster.node(other).admin("status", VigilTestServer.args()).path("changeFeedSeq").asLong();
        while (cluster.node(home).node().changesApplied() < change) {
            check(millisSince(start) < 10_000, "node-" + (home + 1) + " did not apply the decommission in 10 s");
            Thread.sleep(1);
        }
        long applied = millisSince(start);
        DeviceClient.Outcome after = device.timeout(5_000).sendTelemetry(reading(4));
        long refused = millisSince(start);
        check(!after.isSuccess(), "the decommissioned device's reading was acknowledged");
        step("6. decommissioned through node-%d (acknowledged in %d ms); node-%d, holding the session, applied it"
                + " %d ms after the command and cut the session; the device's next reading: %s, %d ms after the"
                + " command", other + 1, acknowledged, home + 1, applied,
                after.code() != null ? after.code() : after.failure(), refused);

        List<Double> stored = values(cluster.node(home).readings("roamer"));
        check(stored.equals(List.of(1.0, 2.0, 3.0)), "the registry holds " + stored + ", not readings 1, 2, 3");
        step("7. the registry holds readings %s, each once; nothing after the decommission", stored);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static byte[] reading(double value) {
        return SenmlCbor.encode(Map.of("temp", value));
    }

    private static List<Double> values(JsonNode readings) {
        List<Double> values = new ArrayList<>();
        readings.forEach(r -> values.add(r.path("v").asDouble()));
        return values;
    }
}
