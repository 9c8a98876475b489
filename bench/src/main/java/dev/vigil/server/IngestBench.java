package dev.vigil.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.bench.BenchDevice;
import dev.vigil.bench.ClosedLoop;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Machine;
import dev.vigil.bench.Probe;
import dev.vigil.bench.Section;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.cli.ManagementClient;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * Durable readings/s over DTLS on loopback: (a) a bare Californium {@link CoapServer} with Vigil's DTLS set-up whose
 * {@code /t} discards what it gets, (b) Vigil with one transaction per reading ({@code
 * VIGIL.TELEMETRY_GROUP_COMMIT=false}), (c) Vigil with group commit (the default). Same devices, same load, rounds
 * alternated in one run. Lives in {@code dev.vigil.server} for symmetry with the gate benchmark.
 */
public final class IngestBench {

    /** One side of the comparison: a server, how to stop it, its devices and what they measured. */
    private static final class Side {
        final String label;
        final InetSocketAddress address;
        final PublicKey serverKey;
        final AutoCloseable server;
        /** The Vigil node, or null for the bare server. */
        VigilServer vigil;
        final List<Double> packsPerGroup = new ArrayList<>();
        final List<Double> writerMicros = new ArrayList<>();
        final List<BenchDevice> devices = new ArrayList<>();
        final List<Double> rates = new ArrayList<>();
        final List<Double> cpuMicros = new ArrayList<>();
        final List<Double> p50 = new ArrayList<>();
        final List<Double> p99 = new ArrayList<>();
        final Map<String, Long> codes = new TreeMap<>();

        Side(String label, InetSocketAddress address, PublicKey serverKey, AutoCloseable server) {
            this.label = label;
            this.address = address;
            this.serverKey = serverKey;
            this.server = server;
        }
    }

    private IngestBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("ingest", "Durable readings/s: group commit vs one commit per reading vs a"
                + " bare Californium server that discards", "server", "readings/s (median of rounds)", "rounds",
                "process CPU µs / reading (client + servers)", "latency p50 / p99 ms", "packs per group (mean)", "writer thread CPU µs / reading", "responses");
        int deviceCount = ctx.pick(100, 50);
        int clientThreads = 4;
        int rounds = ctx.pick(4, 2);
        double roundSeconds = ctx.pick(8.0, 3.0);
        double warmSeconds = ctx.pick(6.0, 3.0);
        List<KeyPair> keys = Keys.p256(deviceCount);
        byte[] reading = SenmlCbor.encode(Map.of("temp", 21.5));
        ScheduledExecutorService shared = Executors.newScheduledThreadPool(clientThreads, r -> {
            Thread thread = new Thread(r, "ingest-bench-client");
            thread.setDaemon(true);
            return thread;
        });
        List<Side> sides = new ArrayList<>();
        try {
            DataDir bareDir = Fixtures.dataDir(ctx, "ingest-bare");
            KeyPair bareKey = Fixtures.serverKey(bareDir);
            CoapServer bare = bareServer(Fixtures.serverConfig(10), bareKey, keys);
            sides.add(new Side("(a) bare Californium CoapServer, /t discards", bare.getEndpoints().get(0).getAddress(),
                    bareKey.getPublic(), bare::destroy));
            sides.add(vigil(ctx, "(b) Vigil, one commit per reading (TELEMETRY_GROUP_COMMIT=false)", "ingest-single",
                    false, keys));
            sides.add(vigil(ctx, "(c) Vigil, group commit (default)", "ingest-group", true, keys));
            for (Side side : sides) {
                Configuration client = BenchDevice.config(10);
                for (KeyPair key : keys) {
                    side.devices.add(new BenchDevice(key, side.serverKey, side.address, client, shared));
                }
                Ctx.log("ingest: %s: opening %d sessions", side.label, deviceCount);
                ClosedLoop.openSessions(side.label, side.devices, reading);
            }
            for (Side side : sides) {
                load(side, reading, warmSeconds, false);
            }
            for (int r = 0; r < rounds; r++) {
                List<Side> order = new ArrayList<>(sides);
                if (r % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (Side side : order) {
                    load(side, reading, roundSeconds, true);
                    Ctx.log("ingest: round %d %s: %.0f/s", r + 1, side.label, side.rates.get(side.rates.size() - 1));
                }
            }
            for (Side side : sides) {
                StringBuilder codes = new StringBuilder();
                side.codes.forEach((code, n) -> codes.append(codes.length() == 0 ? "" : ", ").append(code).append(": ")
                        .append(n));
                section.row(side.label, Fmt.median(side.rates), Fmt.list(side.rates), Fmt.median(side.cpuMicros),
                        Fmt.num(Fmt.median(side.p50)) + " / " + Fmt.num(Fmt.median(side.p99)),
                        side.packsPerGroup.isEmpty() ? "—" : Fmt.num(Fmt.median(side.packsPerGroup)),
                        side.writerMicros.isEmpty() ? "—" : Fmt.num(Fmt.median(side.writerMicros)), codes.toString());
            }
            Side bareSide = sides.get(0);
            Section ratios = section.table("Ratio", "comparison", "ratio of medians", "median of per-round pairs",
                    "per-round pairs");
            for (Side side : sides.subList(1, 3)) {
                List<Double> paired = new ArrayList<>();
                for (int r = 0; r < Math.min(side.rates.size(), bareSide.rates.size()); r++) {
                    paired.add(side.rates.get(r) / bareSide.rates.get(r));
                }
                ratios.row(side.label.substring(0, 3) + " / (a)", Fmt.ratio(Fmt.median(side.rates)
                        / Fmt.median(bareSide.rates)), Fmt.ratio(Fmt.median(paired)), Fmt.list(paired));
            }
            section.define(String.format("Three servers in one JVM (loopback, JCE provider %s, EXCHANGE_LIFETIME 10 s):"
                    + " (a) a Californium CoapServer on a Scandium DTLSConnector with Vigil's DTLS settings (SERVER_ONLY,"
                    + " RPK only, client authentication NEEDED, RFC 7925 suites, Connection ID) trusting the load's"
                    + " device keys, whose /t answers 2.04 and keeps nothing; (b) a Vigil node (full request gate, trust"
                    + " engine on) with VIGIL.TELEMETRY_GROUP_COMMIT=false: one H2 transaction per reading, committed"
                    + " before its 2.04; (c) the same with group commit (the default): packs queue for one writer"
                    + " thread that commits whatever waits in one transaction, then answers each. Vigil's devices are"
                    + " registered with the '%s' profile (no rate limit) and pinned TRUSTED (back-to-back posting is a"
                    + " flood to the trust engine, which still scores every request). %d devices, each its own DTLS"
                    + " session (opened before measuring), keep one CON POST /t (SenML CBOR, one reading, unnumbered)"
                    + " outstanding and send the next when the answer arrives; %d client threads shared by all."
                    + " Rounds of %.0f s alternate a/b/c/c/b/a/... after a %.0f s warm-up each; a reading counts when"
                    + " its 2.04 arrives. CPU per reading is the whole JVM's (clients and all servers).",
                    Machine.provider(), Fixtures.BENCH_PROFILE, deviceCount, clientThreads, roundSeconds,
                    warmSeconds));
        } finally {
            for (Side side : sides) {
                side.devices.forEach(BenchDevice::close);
                side.server.close();
            }
            shared.shutdownNow();
        }
        return section;
    }

    private static Side vigil(Ctx ctx, String label, String dirName, boolean groupCommit, List<KeyPair> keys)
            throws Exception {
        DataDir dir = Fixtures.dataDir(ctx, dirName);
        Configuration config = Fixtures.serverConfig(10);
        config.set(VigilConfig.TELEMETRY_GROUP_COMMIT, groupCommit);
        VigilServer server = VigilServer.start(dir, config, Clock.systemUTC());
        try (ManagementClient admin = Fixtures.admin(dir, server)) {
            Fixtures.applyBenchPolicy(admin);
            for (String name : Fixtures.addDevices(server.registry().devices(), keys, dirName, Fixtures.BENCH_PROFILE)) {
                admin.call("device.trust.pin", JsonNodeFactory.instance.objectNode().put("name", name)
                        .put("tier", "TRUSTED"));
            }
        }
        Side side = new Side(label, server.deviceAddress(), Fixtures.serverKey(dir).getPublic(), server);
        side.vigil = server;
        return side;
    }

    /** A plain CoapServer with Vigil's DTLS settings whose /t answers 2.04 and keeps nothing. */
    private static CoapServer bareServer(Configuration base, KeyPair serverKey, List<KeyPair> devices) {
        Configuration config = new Configuration(base);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        config.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS, SignatureAndHashAlgorithm.SHA256_WITH_ECDSA,
                SignatureAndHashAlgorithm.INTRINSIC_WITH_ED25519);
        RawPublicKeyIdentity[] trusted = devices.stream().map(k -> new RawPublicKeyIdentity(k.getPublic()))
                .toArray(RawPublicKeyIdentity[]::new);
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(serverKey.getPrivate(),
                        serverKey.getPublic()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(trusted).build())
                .build();
        CoapServer server = new CoapServer(config);
        server.addEndpoint(new CoapEndpoint.Builder().setConnector(new DTLSConnector(dtls)).setConfiguration(config)
                .build());
        server.add(new CoapResource("t") {
            @Override
            public void handlePOST(CoapExchange exchange) {
                exchange.respond(ResponseCode.CHANGED);
            }
        });
        server.start();
        return server;
    }

    /**
     * Where a round's CPU went, per answered request: each thread name's (digits stripped, so every server's
     * threads of one kind add up; the idle sides' threads cost next to nothing), and the rest of the process
     * (garbage collection, JIT, the VM).
     */
    private static String cpuByThread(ObjectNode before,
            ObjectNode after, long processNanos, long answered) {
        if (answered == 0) {
            return "nothing answered";
        }
        Map<String, Double> micros = new TreeMap<>();
        long javaThreads = 0;
        for (var it = after.fields(); it.hasNext();) {
            var field = it.next();
            long nanos = field.getValue().asLong() - before.path(field.getKey()).asLong(0);
            javaThreads += nanos;
            if (nanos * 1.0 / answered >= 500) { // 0.5 µs or more per request
                micros.put(field.getKey(), nanos / 1e3 / answered);
            }
        }
        micros.put("(not a Java thread: GC, JIT, VM)", (processNanos - javaThreads) / 1e3 / answered);
        StringBuilder text = new StringBuilder();
        micros.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> text.append(text.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                        .append(String.format("%.1f", e.getValue())));
        return text.toString();
    }

    /** CPU time of the group-commit writer thread (one in this JVM: only side (c) has one). */
    private static long writerCpuNanos() {
        return Probe.threadCpu().path("vigiltelemetrywriter").asLong(0);
    }

    private static void load(Side side, byte[] reading, double seconds, boolean record) throws InterruptedException {
        long groups0 = side.vigil == null ? -1 : side.vigil.telemetryGroups();
        long stored0 = side.vigil == null ? 0 : side.vigil.registry().telemetry().storedSinceStart();
        long writer0 = writerCpuNanos();
        ObjectNode threads0 = Probe.threadCpu();
        long process0 = Probe.cpuNanos();
        long gc0 = Probe.gcMillis();
        long jit0 = Probe.jitMillis();
        ClosedLoop.Round round = ClosedLoop.run(side.label, side.devices, reading, seconds);
        if (!record) {
            return;
        }
        long answered = round.codes().values().stream().mapToLong(Long::longValue).sum();
        Ctx.log("ingest: %s: CPU µs per answered request by thread: %s; GC time %d ms, JIT %d ms in the round",
                side.label.substring(0, 3), cpuByThread(threads0, Probe.threadCpu(), Probe.cpuNanos() - process0,
                        answered), Probe.gcMillis() - gc0, Probe.jitMillis() - jit0);
        side.rates.add(round.rate());
        if (groups0 >= 0) {
            long groups = side.vigil.telemetryGroups() - groups0;
            long stored = side.vigil.registry().telemetry().storedSinceStart() - stored0;
            side.packsPerGroup.add(groups == 0 ? Double.NaN : stored / (double) groups);
            side.writerMicros.add(stored == 0 ? Double.NaN : (writerCpuNanos() - writer0) / 1e3 / stored);
        }
        side.cpuMicros.add(round.cpuMicros());
        side.p50.add(round.p50());
        side.p99.add(round.p99());
        round.codes().forEach((code, n) -> side.codes.merge(code, n, Long::sum));
    }
}
