package dev.vigil.server;

import dev.vigil.bench.BenchDevice;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Probe;
import dev.vigil.bench.Section;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.cli.ManagementClient;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.config.CoapConfig;

/**
 * {@code scripts/bench cluster}: what forwarding a record to the node holding its session costs. One two-node
 * cluster; three sets of devices take turns: straight to node 1 (one node, no balancer), through the balancer
 * to the node holding their session, and through the balancer with every flow moved to the other node (each
 * record forwarded over the cluster port, and its answer sent back the same way).
 */
public final class ClusterBench {

    private ClusterBench() {
    }

    /** One set of devices and what they achieved per round. */
    private record Side(String label, List<BenchDevice> devices, List<Double> rates, List<Double> cpuMicros,
            List<Double> p50, Map<String, Long> codes) {
        Side(String label) {
            this(label, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new java.util.concurrent.ConcurrentSkipListMap<>());
        }
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("cluster", "DTLS cluster: CoAP CON POST throughput with CID forwarding vs one node",
                "devices", "count (answers by code)",
                "requests/s (median of rounds)", "rounds", "process CPU µs / request", "latency p50 ms");
        int perSide = ctx.pick(30, 10);
        int rounds = ctx.pick(4, 2);
        double roundSeconds = ctx.pick(8.0, 3.0);
        double warmSeconds = ctx.pick(5.0, 2.0);
        byte[] reading = SenmlCbor.encode(Map.of("temp", 21.5));
        ScheduledExecutorService shared = Executors.newScheduledThreadPool(4, r -> {
            Thread thread = new Thread(r, "cluster-bench-client");
            thread.setDaemon(true);
            return thread;
        });
        Side direct = new Side("straight to node 1 (one node, no balancer)");
        Side home = new Side("through the balancer, each flow at the node holding its session");
        Side forwarded = new Side("through the balancer, each flow at the other node (every record forwarded)");
        List<Side> sides = List.of(direct, home, forwarded);
        try (TestCluster cluster = new TestCluster(2, config -> {
            config.set(VigilConfig.METRICS_ADDRESS, "off");
            config.set(CoapConfig.EXCHANGE_LIFETIME, 10, TimeUnit.SECONDS);
            config.set(CoapConfig.NON_LIFETIME, 10, TimeUnit.SECONDS);
            config.set(CoapConfig.MARK_AND_SWEEP_INTERVAL, 5, TimeUnit.SECONDS);
        }); UdpBalancer balancer = new UdpBalancer(cluster.devicePorts())) {
            List<KeyPair> keys = Keys.p256(3 * perSide);
            for (int n = 0; n < cluster.size(); n++) {
                VigilTestServer node = cluster.node(n);
                try (ManagementClient admin = Fixtures.admin(node.dataDir(), node.node())) {
                    Fixtures.applyBenchPolicy(admin);
                    // back-to-back posting is a flood to the trust engine: pinned TRUSTED, it still scores every
                    // request but the devices keep sending (as in scripts/bench gate)
                    for (String name : Fixtures.addDevices(node.node().registry().devices(), keys, "cluster",
                            Fixtures.BENCH_PROFILE)) {
                        admin.call("device.trust.pin", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                                .objectNode().put("name", name).put("tier", "TRUSTED"));
                    }
                }
            }
            PublicKey serverKey = cluster.node(0).serverPublicKey();
            InetSocketAddress node1 = cluster.node(0).node().deviceAddress();
            org.eclipse.californium.elements.config.Configuration client = BenchDevice.config(10);
            for (int i = 0; i < 3 * perSide; i++) {
                Side side = sides.get(i / perSide);
                InetSocketAddress target = side == direct ? node1 : balancer.address();
                BenchDevice device = new BenchDevice(keys.get(i), serverKey, target, client, shared);
                side.devices.add(device);
                BenchDevice.Result first = device.postAndWait("/t", reading, SenmlCbor.CONTENT_FORMAT, 20_000);
                if (!first.success()) {
                    throw new IllegalStateException(side.label + ": a device could not send: " + first);
                }
            }
            // the forwarded side's flows are the balancer's newest: move each to the node not holding its session
            List<InetSocketAddress> flows = balancer.clients();
            int moved = 0;
            for (BenchDevice device : forwarded.devices) {
                InetSocketAddress own = device.connector.getAddress();
                for (InetSocketAddress flow : flows) {
                    if (flow.getPort() == own.getPort()) {
                        balancer.move(flow, 1 - balancer.nodeOf(flow));
                        moved++;
                    }
                }
            }
            if (moved != perSide) {
                throw new IllegalStateException("moved " + moved + " flows, expected " + perSide);
            }
            long handshakesBefore = cluster.node(0).node().fullDeviceHandshakes()
                    + cluster.node(1).node().fullDeviceHandshakes();
            for (Side side : sides) {
                load(side, reading, warmSeconds, false);
            }
            for (int r = 0; r < rounds; r++) {
                for (Side side : r % 2 == 0 ? sides : List.of(forwarded, home, direct)) {
                    load(side, reading, roundSeconds, true);
                    Ctx.log("cluster: round %d %s: %.0f/s", r + 1, side.label, side.rates.get(side.rates.size() - 1));
                }
            }
            long handshakesAfter = cluster.node(0).node().fullDeviceHandshakes()
                    + cluster.node(1).node().fullDeviceHandshakes();
            for (Side side : sides) {
                section.row(side.label, side.devices.size() + " (answers: " + side.codes + ")", Fmt.median(side.rates), Fmt.list(side.rates),
                        Fmt.median(side.cpuMicros), Fmt.median(side.p50));
            }
            Section ratios = section.table("Ratio", "comparison", "ratio of medians", "per-round pairs");
            ratios.row("forwarded / one node", Fmt.ratio(Fmt.median(forwarded.rates) / Fmt.median(direct.rates)),
                    Fmt.list(pairs(forwarded, direct)));
            ratios.row("forwarded / balancer without forwarding",
                    Fmt.ratio(Fmt.median(forwarded.rates) / Fmt.median(home.rates)), Fmt.list(pairs(forwarded, home)));
            section.define(String.format("Two Vigil nodes in one JVM on loopback (node ids 1 and 2, Scandium's"
                    + " DtlsManagedClusterConnector, cluster MAC on, links keyed by the cluster key), each with its own"
                    + " H2 registry holding the same %d devices (profile '%s', never throttled); the test UDP balancer"
                    + " (one thread relaying client→node, one per flow node→client) in front. Three sets of %d devices"
                    + " (configured as DeviceClient, sessions opened before measuring): straight to node 1; through the"
                    + " balancer to the node their hash picked; through the balancer with every flow then moved to the"
                    + " other node, so each record is forwarded over the cluster port and its answer comes back the"
                    + " same way. Each device keeps one CON POST /t (SenML CBOR) outstanding; rounds of %.0f s"
                    + " alternate after a %.0f s warm-up each; every reading is committed to H2 before its 2.04."
                    + " Client, balancer and both nodes share the machine's cores.", 3 * perSide,
                    Fixtures.BENCH_PROFILE, perSide, roundSeconds, warmSeconds));
            section.note("Full handshakes during the measurement (both nodes): " + (handshakesAfter - handshakesBefore)
                    + " — forwarding kept every session.");
        } finally {
            sides.forEach(side -> side.devices.forEach(BenchDevice::close));
            shared.shutdownNow();
        }
        return section;
    }

    private static List<Double> pairs(Side a, Side b) {
        List<Double> pairs = new ArrayList<>();
        for (int r = 0; r < Math.min(a.rates.size(), b.rates.size()); r++) {
            pairs.add(a.rates.get(r) / b.rates.get(r));
        }
        return pairs;
    }

    /** Closed loop: every device keeps one request outstanding until the round ends. */
    private static void load(Side side, byte[] reading, double seconds, boolean record) throws InterruptedException {
        long cpu0 = Probe.cpuNanos();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        AtomicLong ok = new AtomicLong();
        AtomicLong all = new AtomicLong();
        List<Double> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(side.devices.size());
        for (BenchDevice device : side.devices) {
            next(device, reading, deadline, ok, all, latencies, done, record ? side.codes : new java.util.HashMap<>());
        }
        if (!done.await((long) seconds + 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(side.label + ": requests still outstanding 60 s after the round");
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long cpu = Probe.cpuNanos() - cpu0;
        if (record) {
            side.rates.add(ok.get() / elapsed);
            side.cpuMicros.add(all.get() == 0 ? Double.NaN : cpu / 1e3 / all.get());
            side.p50.add(Fmt.median(latencies));
        }
    }

    private static void next(BenchDevice device, byte[] reading, long deadline, AtomicLong ok, AtomicLong all,
            List<Double> latencies, CountDownLatch done, Map<String, Long> codes) {
        if (System.nanoTime() >= deadline) {
            done.countDown();
            return;
        }
        device.post("/t", reading, SenmlCbor.CONTENT_FORMAT).whenComplete((result, error) -> {
            all.incrementAndGet();
            String code = result == null || result.code() == null ? "no answer"
                    : result.code().codeClass + "." + String.format("%02d", result.code().codeDetail);
            synchronized (codes) {
                codes.merge(code, 1L, Long::sum);
            }
            if (result != null && result.success()) {
                ok.incrementAndGet();
                latencies.add(result.nanos() / 1e6);
            }
            next(device, reading, deadline, ok, all, latencies, done, codes);
        });
    }
}
