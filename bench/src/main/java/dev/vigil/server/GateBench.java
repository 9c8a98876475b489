package dev.vigil.server;

import dev.vigil.bench.BenchDevice;
import dev.vigil.bench.ClosedLoop;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Section;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.cli.ManagementClient;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.californium.elements.config.Configuration;

/**
 * CoAP CON POST throughput over DTLS through the full request gate (lifecycle standing + policy
 * decision) against the same node with Californium's plain {@link
 * org.eclipse.californium.core.server.ServerMessageDeliverer} ({@link VigilServer#startUngated}). Lives in
 * {@code dev.vigil.server} only to reach that package-private entry point.
 */
public final class GateBench {

    /** One side of the comparison: a node and its devices. */
    private static final class Side {
        final String label;
        final VigilServer server;
        final List<BenchDevice> devices = new ArrayList<>();
        final List<Double> rates = new ArrayList<>();
        final List<Double> cpuMicros = new ArrayList<>();
        final List<Double> p50 = new ArrayList<>();
        final List<Double> p99 = new ArrayList<>();
        final Map<String, Long> codes = new TreeMap<>();

        Side(String label, VigilServer server) {
            this.label = label;
            this.server = server;
        }
    }

    private GateBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("gate", "CoAP CON POST throughput: full gate vs gate bypassed, trust engine on vs off", "server",
                "requests/s (median of rounds)", "rounds", "process CPU µs / request (client + server)",
                "latency p50 / p99 ms", "responses");
        int deviceCount = ctx.pick(100, 50);
        int clientThreads = 4;
        int rounds = ctx.pick(4, 2);
        double roundSeconds = ctx.pick(8.0, 3.0);
        double warmSeconds = ctx.pick(6.0, 3.0);
        List<KeyPair> keys = Keys.p256(deviceCount);
        byte[] reading = SenmlCbor.encode(Map.of("temp", 21.5));
        ScheduledExecutorService shared = Executors.newScheduledThreadPool(clientThreads, r -> {
            Thread thread = new Thread(r, "gate-bench-client");
            thread.setDaemon(true);
            return thread;
        });
        DataDir dirA = Fixtures.dataDir(ctx, "gate-gated");
        DataDir dirB = Fixtures.dataDir(ctx, "gate-ungated");
        DataDir dirC = Fixtures.dataDir(ctx, "gate-no-trust");
        Configuration config = Fixtures.serverConfig(10);
        Side gated = new Side("full gate with trust engine (VigilServer.start)",
                VigilServer.start(dirA, config, Clock.systemUTC()));
        Side ungated = new Side("gate bypassed (VigilServer.startUngated)",
                VigilServer.startUngated(dirB, config, Clock.systemUTC()));
        Side untrusted = new Side("gate without trust engine (VigilServer.startWithoutTrust)",
                VigilServer.startWithoutTrust(dirC, config, Clock.systemUTC()));
        List<Side> sides = List.of(gated, ungated, untrusted);
        Map<Side, DataDir> dirs = Map.of(gated, dirA, ungated, dirB, untrusted, dirC);
        try {
            for (Side side : sides) {
                DataDir dir = dirs.get(side);
                List<String> names;
                try (ManagementClient admin = Fixtures.admin(dir, side.server)) {
                    Fixtures.applyBenchPolicy(admin);
                    names = Fixtures.addDevices(side.server.registry().devices(), keys, "gate", Fixtures.BENCH_PROFILE);
                    if (side == gated) {
                        // posting back to back is a flood to the trust engine: pinned TRUSTED, it still observes and
                        // scores every request (the cost measured here) but the devices keep sending
                        for (String name : names) {
                            admin.call("device.trust.pin", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                                    .put("name", name).put("tier", "TRUSTED"));
                        }
                    }
                }
                Configuration client = BenchDevice.config(10);
                for (KeyPair key : keys) {
                    side.devices.add(new BenchDevice(key, Fixtures.serverKey(dir).getPublic(), side.server.deviceAddress(),
                            client, shared));
                }
                Ctx.log("gate: %s: opening %d sessions", side.label, deviceCount);
                ClosedLoop.openSessions(side.label, side.devices, reading);
            }
            for (Side side : sides) {
                load(side, reading, warmSeconds, false);
            }
            for (int r = 0; r < rounds; r++) {
                for (Side side : r % 2 == 0 ? sides : List.of(untrusted, ungated, gated)) {
                    load(side, reading, roundSeconds, true);
                    Ctx.log("gate: round %d %s: %.0f/s", r + 1, side.label, side.rates.get(side.rates.size() - 1));
                }
            }
            for (Side side : sides) {
                StringBuilder codes = new StringBuilder();
                side.codes.forEach((code, n) -> codes.append(codes.length() == 0 ? "" : ", ").append(code).append(": ")
                        .append(n));
                section.row(side.label, Fmt.median(side.rates), Fmt.list(side.rates), Fmt.median(side.cpuMicros),
                        Fmt.num(Fmt.median(side.p50)) + " / " + Fmt.num(Fmt.median(side.p99)), codes.toString());
            }
            double ratio = Fmt.median(gated.rates) / Fmt.median(ungated.rates);
            List<Double> paired = new ArrayList<>();
            for (int r = 0; r < Math.min(gated.rates.size(), ungated.rates.size()); r++) {
                paired.add(gated.rates.get(r) / ungated.rates.get(r));
            }
            Section ratios = section.table("Ratio", "comparison", "gated / ungated (ratio of medians)",
                    "gated / ungated (median of per-round pairs)", "per-round pairs",
                    "extra CPU µs per request through the gate");
            ratios.row("full gate vs bypassed (alternated)", Fmt.ratio(ratio), Fmt.ratio(Fmt.median(paired)),
                    Fmt.list(paired), Fmt.median(gated.cpuMicros) - Fmt.median(ungated.cpuMicros));
            List<Double> trustPaired = new ArrayList<>();
            for (int r = 0; r < Math.min(gated.rates.size(), untrusted.rates.size()); r++) {
                trustPaired.add(gated.rates.get(r) / untrusted.rates.get(r));
            }
            ratios.row("trust engine on vs off (same gate, alternated)",
                    Fmt.ratio(Fmt.median(gated.rates) / Fmt.median(untrusted.rates)), Fmt.ratio(Fmt.median(trustPaired)),
                    Fmt.list(trustPaired), Fmt.median(gated.cpuMicros) - Fmt.median(untrusted.cpuMicros));
            boolean throttled = gated.codes.keySet().stream().anyMatch(code -> code.startsWith("4.29"));
            section.define(String.format("Three Vigil nodes in-process (loopback, JCE provider " + dev.vigil.bench.Machine.provider() + ", EXCHANGE_LIFETIME 10 s):"
                    + " A started with VigilServer.start (RequestGate: lifecycle standing + PolicyEngine.decide at the"
                    + " trust engine's tier + TrustEngine.onRequest per request), B with VigilServer.startUngated"
                    + " (Californium's ServerMessageDeliverer), C with VigilServer.startWithoutTrust (the gate with the"
                    + " tier from the lifecycle only, the trust engine neither read nor fed); A's devices are pinned"
                    + " TRUSTED by an operator (back-to-back posting is a flood to the engine, which still scores every"
                    + " request). All have the"
                    + " '%s' profile applied with `policy.apply` (rate 1,000,000/s, so the token bucket never throttles)"
                    + " and the same %d registered devices. Each device (configured as DeviceClient, its own DTLS"
                    + " session, opened before measuring) keeps one CON POST /t (SenML CBOR, 14 bytes) outstanding and"
                    + " sends the next as soon as the answer arrives; %d client threads are shared by all devices."
                    + " Rounds of %.0f s alternate A/B/C/C/B/A/... after a %.0f s warm-up each; a request counts when its"
                    + " 2.04 arrives. Every accepted reading is committed to H2 before its 2.04, on both sides."
                    + " CPU per request is the whole JVM's (clients, both servers).", Fixtures.BENCH_PROFILE,
                    deviceCount, clientThreads, roundSeconds, warmSeconds));
            if (throttled) {
                section.note("**Some requests were rate-limited (4.29): the bench profile did not apply.**");
            }
        } finally {
            for (Side side : sides) {
                side.devices.forEach(BenchDevice::close);
                side.server.close();
            }
            shared.shutdownNow();
        }
        return section;
    }

    private static void load(Side side, byte[] reading, double seconds, boolean record) throws InterruptedException {
        ClosedLoop.Round round = ClosedLoop.run(side.label, side.devices, reading, seconds);
        if (record) {
            side.rates.add(round.rate());
            side.cpuMicros.add(round.cpuMicros());
            side.p50.add(round.p50());
            side.p99.add(round.p99());
            round.codes().forEach((code, n) -> side.codes.merge(code, n, Long::sum));
        }
    }
}
