package dev.vigil.bench.revocation;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.bench.BenchDevice;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Section;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.DatabaseSettings;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.provisioning.testdb.PostgresServer;
import dev.vigil.server.VigilConfig;
import dev.vigil.server.VigilServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;

/**
 * Cross-node revocation: two Vigil nodes on one real PostgreSQL registry; a device with a live session on node B
 * is decommissioned through node A's management endpoint, and keeps sending to node B until it is refused.
 */
public final class ClusterRevocationBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEND_EVERY_MS = 20;

    private ClusterRevocationBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("revocation-cluster", "Cross-node revocation: decommission on node A → refused"
                + " on node B", "interval", "p50 ms", "p99 ms", "max ms", "trials", "target", "verdict");
        int trials = ctx.pick(50, 10);
        int warmup = 3;
        List<Double> ack = new ArrayList<>();
        List<Double> closeNotify = new ArrayList<>();
        List<Double> refused = new ArrayList<>();
        List<Integer> acceptedAfterAck = new ArrayList<>();
        try (PostgresServer postgres = PostgresServer.start()) {
            String url = postgres.createDatabase("vigil");
            Path password = ctx.scratch("cluster-secrets").resolve("db-password");
            Files.writeString(password, PostgresServer.PASSWORD + "\n", StandardCharsets.UTF_8);
            DatabaseSettings registry = new DatabaseSettings(url, PostgresServer.USER, password.toString());
            DataDir dirA = DataDir.init(ctx.scratch("node-a").resolve("data"), registry, Map.of(), null);
            DataDir dirB = DataDir.init(ctx.scratch("node-b").resolve("data"), registry, Map.of(),
                    new DataDir.NodeKeys(dirA.serverKey(), dirA.auditKey()));
            Clock clock = Clock.systemUTC();
            try (VigilServer nodeA = VigilServer.start(dirA, config(registry, password, "node-a"), clock);
                    VigilServer nodeB = VigilServer.start(dirB, config(registry, password, "node-b"), clock);
                    ManagementClient admin = Fixtures.admin(dirA, nodeA)) {
                Fixtures.applyBenchPolicy(admin);
                long version = nodeA.registry().policy().version();
                while (nodeB.registry().policy().version() < version) { // node B learns the policy by the feed
                    Thread.sleep(10);
                }
                List<KeyPair> keys = Keys.p256(trials + warmup);
                List<String> names = Fixtures.addDevices(nodeA.registry().devices(), keys, "xrev",
                        Fixtures.BENCH_PROFILE);
                PublicKey serverKey = Fixtures.serverKey(dirA).getPublic();
                Configuration config = BenchDevice.config(30);
                byte[] reading = SenmlCbor.encode(Map.of("temp", 21.5));
                for (int i = 0; i < trials + warmup; i++) {
                    try (BenchDevice device = new BenchDevice(keys.get(i), serverKey, nodeB.deviceAddress(), config,
                            null)) {
                        CompletableFuture<Long> closed = new CompletableFuture<>();
                        device.connector.setAlertHandler((peer, alert) -> {
                            if (alert.getDescription() == AlertDescription.CLOSE_NOTIFY) {
                                closed.complete(System.nanoTime());
                            }
                        });
                        if (!device.postAndWait("/t", reading, SenmlCbor.CONTENT_FORMAT, 10_000).success()) {
                            throw new IllegalStateException("device " + names.get(i) + " could not send to node B");
                        }
                        Thread.sleep(20);
                        long t0 = System.nanoTime();
                        admin.call("device.decommission", JSON.createObjectNode().put("name", names.get(i)));
                        long t1 = System.nanoTime();
                        int accepted = 0;
                        long tRefused = 0;
                        while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20)) {
                            BenchDevice.Result next = device.postAndWait("/t", reading, SenmlCbor.CONTENT_FORMAT,
                                    10_000);
                            if (!next.success()) {
                                tRefused = System.nanoTime();
                                break;
                            }
                            accepted++;
                            Thread.sleep(SEND_EVERY_MS);
                        }
                        Long tc = null;
                        try {
                            tc = closed.get(2, TimeUnit.SECONDS);
                        } catch (java.util.concurrent.TimeoutException e) {
                            // no close_notify seen
                        }
                        if (i < warmup) {
                            continue;
                        }
                        ack.add((t1 - t0) / 1e6);
                        acceptedAfterAck.add(accepted);
                        if (tRefused != 0) {
                            refused.add((tRefused - t0) / 1e6);
                        }
                        if (tc != null) {
                            closeNotify.add((tc - t0) / 1e6);
                        }
                    }
                }
            }
        }
        row(section, "decommission issued on A → device's request on B refused (the headline)", refused, trials,
                1000);
        row(section, "decommission issued on A → node B's close_notify received by the device", closeNotify, trials,
                Double.NaN); // sent after the refusal window on purpose
        row(section, "decommission issued on A → operator's command acknowledged by A", ack, trials, Double.NaN);
        section.define(String.format("Two Vigil nodes in one JVM (loopback), each with its own DTLS ports, on one"
                + " PostgreSQL 15 server started for the run (Debian binaries, fsync on); %d trials after %d warm-up"
                + " trials, each with a fresh device (profile '%s') that opens a session with node B and gets a reading"
                + " accepted; 20 ms later an admin operator issues `device.decommission` over CoAPS to node A — t0 is"
                + " when that call starts. From the moment node A acknowledges, the device sends a reading to node B"
                + " every %d ms (CON POST /t, waiting for each answer) until one is refused (a refused re-handshake or"
                + " a 4.03). Node B learns the change from the change feed (NOTIFY vigil_changes + catch-up every"
                + " second) and cuts the device's session. Target: p99 ≤ 1 s; goal ≤ 200 ms.",
                trials, warmup, Fixtures.BENCH_PROFILE, SEND_EVERY_MS));
        int window = acceptedAfterAck.stream().mapToInt(Integer::intValue).sum();
        section.note(String.format("Requests node B still accepted after node A had acknowledged the decommission:"
                + " %d in %d trials (max %d in one trial): the window between A's commit and B applying the change.",
                window, acceptedAfterAck.size(),
                acceptedAfterAck.stream().mapToInt(Integer::intValue).max().orElse(0)));
        long slow = refused.stream().filter(ms -> ms > 1000).count();
        if (slow > 0) {
            section.note(String.format("In %d of %d trials the refusal took over a second: the device's request"
                    + " crossed node B's close_notify on the wire, and a peer discards every record that follows a"
                    + " close_notify, so its 4.03 was lost and the device learnt at its CoAP retransmission (ACK_TIMEOUT"
                    + " 2 s × random factor), when its re-handshake was refused. Node B answers requests on a revoked"
                    + " session with 4.03 for %d ms before the close_notify, so a device sending every %d ms is"
                    + " normally told within a round trip.", slow, refused.size(),
                    dev.vigil.server.BenchAccess.refusalWindowMs(), SEND_EVERY_MS));
        }
        return section;
    }

    private static Configuration config(DatabaseSettings registry, Path password, String node) {
        Configuration config = Fixtures.serverConfig(30);
        config.set(VigilConfig.DB_URL, registry.url());
        config.set(VigilConfig.DB_USER, registry.user());
        config.set(VigilConfig.DB_PASSWORD_FILE, password.toString());
        config.set(VigilConfig.NODE_NAME, node);
        return config;
    }

    private static void row(Section section, String what, List<Double> values, int trials, double targetMs) {
        double p99 = Fmt.percentile(values, 99);
        section.row(what, Fmt.median(values), p99, Fmt.max(values), values.size() + " / " + trials,
                Double.isNaN(targetMs) ? "–" : "p99 ≤ " + Fmt.num(targetMs) + " ms",
                Double.isNaN(targetMs) ? "–" : values.size() == trials && p99 <= targetMs ? "meets" : "MISSES");
    }
}
