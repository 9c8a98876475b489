package dev.vigil.server;

import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Section;
import dev.vigil.bench.sessions.SessionsLoad;
import dev.vigil.bench.storm.Reconnects;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.store.DatabaseSettings;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.provisioning.testdb.PostgresServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * {@code scripts/bench storm} (by name only; {@code STORM_DEVICES} overrides the 10,000 devices): two nodes on one
 * PostgreSQL registry behind the test balancer. Every device first connects to node 1 together (the cold start,
 * the baseline); node 1 is then lost, the balancer moves every flow to node 2, and every device comes back with a
 * full handshake there (the storm). Time until each device's reading is acknowledged, handshakes node 2 did, and
 * acknowledged readings missing from the registry.
 */
public final class StormBench {

    private static final long GIVE_UP_MS = 900_000;
    private static final int WARM_UP_DEVICES = 1_000;
    /** The balancer's public ports: a device is one shared client connector's flow to one of them. */
    private static final int PUBLIC_PORTS = 100;
    /** The warm-up devices' connectors send from addresses after those of the measured devices' connectors. */
    private static final int WARM_UP_CONNECTORS = 10_000;

    private StormBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        // the nodes run with Vigil's default JCE provider (Bouncy Castle), as a production node does, unless
        // CALIFORNIUM_JCE_PROVIDER says otherwise; the simulated devices in this JVM then use it too
        if (org.eclipse.californium.elements.util.StringUtil.getConfiguration("CALIFORNIUM_JCE_PROVIDER") == null) {
            System.setProperty("CALIFORNIUM_JCE_PROVIDER", "BC_NON_BLOCKING_RANDOM");
        }
        org.eclipse.californium.elements.util.JceProviderUtil.init();
        Ctx.log("storm: JCE provider %s", dev.vigil.bench.Machine.provider());
        int n = Integer.parseInt(System.getenv().getOrDefault("STORM_DEVICES", Integer.toString(ctx.pick(10_000, 300))));
        Section section = new Section("storm", "Reconnect storm: a node lost, its devices back on the other node",
                "phase", "devices back", "p50 s", "p99 s", "max s", "all back s", "attempts (mean / max)",
                "full handshakes (node that took them)");
        byte[] reading = SenmlCbor.encode(Map.of("temp", 21.5));
        try (PostgresServer postgres = PostgresServer.start()) {
            Path password = ctx.scratch("storm-secrets").resolve("db-password");
            Files.writeString(password, PostgresServer.PASSWORD + "\n", StandardCharsets.UTF_8);
            DatabaseSettings registry = new DatabaseSettings(postgres.createDatabase("storm"), PostgresServer.USER,
                    password.toString());
            try (TestCluster cluster = new TestCluster(2, registry, config -> {
                config.set(VigilConfig.METRICS_ADDRESS, "off");
                config.set(CoapConfig.EXCHANGE_LIFETIME, 30, TimeUnit.SECONDS);
                config.set(CoapConfig.NON_LIFETIME, 30, TimeUnit.SECONDS);
                config.set(CoapConfig.MARK_AND_SWEEP_INTERVAL, 10, TimeUnit.SECONDS);
            }); UdpBalancer balancer = new UdpBalancer(cluster.devicePorts(), PUBLIC_PORTS)) {
                VigilServer node1 = cluster.node(0).node();
                VigilServer node2 = cluster.node(1).node();
                try (ManagementClient admin = Fixtures.admin(cluster.node(0).dataDir(), node1)) {
                    Fixtures.applyBenchPolicy(admin);
                }
                long version = node1.registry().policy().version();
                while (node2.registry().policy().version() < version) { // node 2 learns the policy by the feed
                    Thread.sleep(10);
                }
                int warm = Math.min(n, WARM_UP_DEVICES);
                Ctx.log("storm: %,d device keys (+ %,d for the warm-up), registering them", n, warm);
                List<KeyPair> keys = Keys.p256(n);
                List<KeyPair> warmKeys = Keys.p256(warm);
                long t0 = System.nanoTime();
                Fixtures.addDevices(node1.registry().devices(), keys, "storm", Fixtures.BENCH_PROFILE);
                Fixtures.addDevices(node1.registry().devices(), warmKeys, "warm", Fixtures.BENCH_PROFILE);
                Ctx.log("storm: registered %,d devices in %.0f s (registry API, one transaction each)", n + warm,
                        (System.nanoTime() - t0) / 1e9);
                NewAdvancedCertificateVerifier trust = StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(cluster.node(0).serverPublicKey())).build();
                Reconnects devices = new Reconnects(keys, 0, SessionsLoad.clientConfig(), trust, reading);
                List<InetSocketAddress> ports = balancer.addresses();
                // every device's flow lands on node 1 (index 0) first
                java.util.function.BiPredicate<InetSocketAddress, Integer> toNode1 = (client, port) ->
                        UdpBalancer.pick(new UdpBalancer.Route(client, port), 2) == 0;
                // the JIT compiles the handshake, the ingest and the balancer's path before the cold start, which
                // would otherwise pay for it alone (both nodes run in this JVM, so node 2 is warm as well)
                Ctx.log("storm: warm-up, %,d other devices to node 1", warm);
                Reconnects.Outcome warmUp = new Reconnects(warmKeys, WARM_UP_CONNECTORS, SessionsLoad.clientConfig(),
                        trust, reading).run(ports, toNode1, GIVE_UP_MS);
                Ctx.log("storm: warm-up done in %.0f s", warmUp.totalMillis() / 1e3);

                long before1 = node1.fullDeviceHandshakes();
                Ctx.log("storm: cold start, %,d devices to node 1", n);
                Reconnects.Outcome cold = devices.run(ports, toNode1, GIVE_UP_MS);
                long cold1 = node1.fullDeviceHandshakes() - before1;
                long elsewhere = balancer.routes().stream().filter(flow -> balancer.nodeOf(flow) != 0).count();
                if (elsewhere > 0) {
                    throw new IllegalStateException(elsewhere + " flows went to node 2 in the cold start");
                }
                long ackedCold = back(cold).size();
                row(section, "cold start: every device's first connection, to an idle node 1", cold, n,
                        cold1 + " (node 1)");

                long before2 = node2.fullDeviceHandshakes();
                cluster.lose(0);
                for (InetSocketAddress flow : balancer.clients()) {
                    balancer.move(flow, 1);
                }
                Ctx.log("storm: node 1 lost, %,d flows moved to node 2", balancer.routes().size());
                Reconnects.Outcome storm = devices.run(ports, toNode1, GIVE_UP_MS);
                long storm2 = node2.fullDeviceHandshakes() - before2;
                long ackedStorm = back(storm).size();
                row(section, "storm: node 1 lost, every device back on node 2", storm, n, storm2 + " (node 2)");

                long stored = count(node2, "SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_id"
                        + " WHERE d.name LIKE 'storm-%'");
                long short2 = count(node2, "SELECT COUNT(*) FROM devices d WHERE d.name LIKE 'storm-%' AND"
                        + " (SELECT COUNT(*) FROM telemetry t WHERE t.device_id = d.id) < 2");
                Section ratios = section.table("Ratio", "storm / cold start", "ratio");
                ratios.row("p50", Fmt.ratio(Fmt.median(back(storm)) / Fmt.median(back(cold))));
                ratios.row("p99", Fmt.ratio(Fmt.percentile(back(storm), 99) / Fmt.percentile(back(cold), 99)));
                ratios.row("all back", Fmt.ratio(Fmt.max(back(storm)) / Fmt.max(back(cold))));
                section.define(String.format("Two Vigil nodes in one JVM on loopback (one DTLS cluster, node ids 1"
                        + " and 2; JCE provider %s) on one PostgreSQL 15 registry started for the run (Debian"
                        + " binaries, fsync on), behind the test UDP balancer (5-tuple flows, %d public ports, one"
                        + " relay thread). %,d devices (profile '%s') registered through the registry API. The"
                        + " simulated devices share %,d client connectors (one socket and one receiver thread each,"
                        + " 127.1.x.y): a device is one connector's flow to one of the balancer's ports, chosen so"
                        + " that the balancer's hash sends it to node 1, and presents its own key. Each behaves as"
                        + " the reference agent after silence: it waits a full-jitter backoff (uniform in [0, 1 s ·"
                        + " 2^attempt), at most 5 min, the agent's defaults), then runs a full handshake (P-256,"
                        + " CCM_8) and sends one CON POST /t (SenML CBOR); no 2.04 within 30 s (the agent's timeout)"
                        + " → the next backoff and the same request again over its session; after two silences in a"
                        + " row, a new handshake with each attempt (the agent's renewSession). First %,d other devices"
                        + " do the same once (JIT warm-up, not measured). Cold start (the baseline): all devices"
                        + " start together against the idle cluster and get their session and first reading on node"
                        + " 1. Storm: node 1 is then closed (its sessions gone with it), the balancer moves every flow"
                        + " to node 2, and all devices start again together; node 2 has never seen them. Times are"
                        + " from the start of the phase to the 2.04, including the backoff. Not in them: how long a"
                        + " device takes to notice the loss — the agent starts a new handshake after two unanswered"
                        + " requests (its 30 s timeout each, plus a backoff), and a sleepy device notices at its next"
                        + " wake-up; both spread a real fleet's return, while here every device starts within the"
                        + " same first second, the worst case. Devices, balancer and both nodes share the machine's"
                        + " cores; each client handshake costs the device side an ECDSA signature and an ECDH as"
                        + " well.", dev.vigil.bench.Machine.provider(), PUBLIC_PORTS, n, Fixtures.BENCH_PROFILE,
                        devices.connectors(), warm));
                section.note(String.format("Full handshakes node 2 did in the storm: %,d for %,d devices%s.", storm2,
                        n, storm2 == n ? " — one each" : " (a device whose handshake failed, or that went two"
                        + " attempts without a 2.04, made another)"));
                boolean allBack = ackedCold == n && ackedStorm == n;
                boolean lost = stored < ackedCold + ackedStorm || allBack && short2 > 0;
                section.note(String.format("Acknowledged readings: %,d in the cold start + %,d in the storm; in the"
                        + " registry: %,d; devices with fewer than two readings stored: %,d — %s.", ackedCold,
                        ackedStorm, stored, short2, lost ? "ACKNOWLEDGED READINGS MISSING" : "none lost"));
                if (stored > ackedCold + ackedStorm) {
                    section.note(String.format("%,d readings stored beyond those acknowledged: stored, but their 2.04"
                            + " reached the device after its timeout, so it sent the reading again (these devices do"
                            + " not number their readings; the agent's POST /t?s=N would drop the copies).",
                            stored - ackedCold - ackedStorm));
                }
                if (cold.failedAttempts() + storm.failedAttempts() > 0) {
                    section.note(String.format("Attempts without a 2.04 within 30 s (retried after the backoff):"
                            + " %,d in the cold start, %,d in the storm.", cold.failedAttempts(),
                            storm.failedAttempts()));
                }
            }
        }
        return section;
    }

    private static List<Double> back(Reconnects.Outcome outcome) {
        List<Double> seconds = new ArrayList<>();
        for (double ms : outcome.backMillis()) {
            if (!Double.isNaN(ms)) {
                seconds.add(ms / 1e3);
            }
        }
        return seconds;
    }

    private static void row(Section section, String phase, Reconnects.Outcome outcome, int n, String handshakes) {
        List<Double> back = back(outcome);
        double mean = java.util.Arrays.stream(outcome.attempts()).average().orElse(0);
        int max = java.util.Arrays.stream(outcome.attempts()).max().orElse(0);
        section.row(phase, back.size() + " / " + n, Fmt.median(back), Fmt.percentile(back, 99), Fmt.max(back),
                back.size() == n ? Fmt.max(back) : Double.NaN, String.format("%.2f / %d", mean, max), handshakes);
        Ctx.log("storm: %s: %d/%d back, p50 %.1f s, max %.1f s", phase, back.size(), n, Fmt.median(back),
                Fmt.max(back));
    }

    private static long count(VigilServer node, String sql) {
        return node.registry().database().<Long>inTransaction(c -> {
            try (var q = c.prepareStatement(sql); var rows = q.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }
}
