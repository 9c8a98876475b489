package dev.vigil.bench.keys;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.DtlsSniff;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Fork;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Section;
import dev.vigil.bench.UdpRelay;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.Registry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * EC P-256 vs Ed25519 device keys in one run: CPU time of a full handshake on the device side and on the
 * server side (a Vigil node in its own JVM, the devices in another, rounds of each algorithm alternated), and
 * the bytes one full handshake puts on the wire, counted by a relay.
 */
public final class KeysBench {

    private static final List<String> ALGORITHMS = List.of("p256", "ed25519");
    private static final Map<String, String> LABELS = Map.of("p256", "EC P-256", "ed25519", "Ed25519");

    /** The JCE providers (CALIFORNIUM_JCE_PROVIDER) of the node's JVM and of the devices' JVM. */
    record Provider(String id, String node, String devices, String label) {
    }

    /** What the rounds of one (provider, algorithm) measured; ms per handshake. */
    static final class Series {
        final List<Double> deviceCpu = new ArrayList<>();
        final List<Double> deviceDtls = new ArrayList<>();
        final List<Double> serverCpu = new ArrayList<>();
        final List<Double> serverDtls = new ArrayList<>();
        final List<Double> p50 = new ArrayList<>();
        long completed;
        long failed;
        long serverHandshakes;
        long retransmissions;
        final List<String> errors = new ArrayList<>();
    }

    /** One full handshake's traffic through the relay, averaged: bytes and datagrams each way. */
    record Wire(double upBytes, double upDatagrams, double downBytes, double downDatagrams,
            Map<String, Integer> messages, String negotiated, long retransmissions) {
        double bytes() {
            return upBytes + downBytes;
        }

        double datagrams() {
            return upDatagrams + downDatagrams;
        }
    }

    private KeysBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("keys", "Device keys: EC P-256 vs Ed25519 (CPU per full handshake, bytes on"
                + " the wire)", "JCE provider: node / devices", "device key", "device CPU ms / handshake (of it: DTLS"
                        + " threads)", "server CPU ms / handshake (of it: DTLS threads)", "server CPU ms, each round",
                "latency p50 ms", "handshakes (failed)");
        int keyCount = ctx.pick(300, 100);
        int wireKeys = ctx.pick(5, 3);
        int warmChunks = ctx.pick(5, 2);
        int rounds = ctx.pick(8, 2);
        int perRound = ctx.pick(400, 100);

        Ctx.log("keys: %d P-256 and %d Ed25519 device keys", keyCount + wireKeys, keyCount + wireKeys);
        Map<String, List<KeyPair>> keys = new LinkedHashMap<>();
        keys.put("p256", Keys.p256(keyCount + wireKeys));
        keys.put("ed25519", Keys.ed25519(keyCount + wireKeys));
        Map<String, Path> keyFiles = new LinkedHashMap<>();
        for (Map.Entry<String, List<KeyPair>> entry : keys.entrySet()) {
            Path file = Fixtures.file(ctx, "keys-" + entry.getKey() + ".txt");
            Keys.write(file, entry.getValue());
            keyFiles.put(entry.getKey(), file);
        }
        DataDir template = Fixtures.dataDir(ctx, "keys-template");
        try (Database database = Database.openEmbedded(template.root())) {
            Registry registry = Registry.open(database, Clock.systemUTC());
            for (Map.Entry<String, List<KeyPair>> entry : keys.entrySet()) {
                Fixtures.addDevices(registry.devices(), entry.getValue(), entry.getKey(), "sensor");
            }
        }
        String serverPublic = Base64.getEncoder().encodeToString(Fixtures.serverKey(template).getPublic().getEncoded());

        String loadBefore = loadAverage();
        // as shipped: the node picks Bouncy Castle (CryptoProvider), vigil-device has only the JDK's providers
        Provider shipped = new Provider("shipped", "BC_NON_BLOCKING_RANDOM", "SYSTEM",
                "as shipped: Bouncy Castle / SunEC");
        List<Provider> providers = ctx.quick ? List.of(shipped) : List.of(shipped,
                new Provider("sunec", "SYSTEM", "SYSTEM", "SunEC / SunEC"),
                new Provider("bc", "BC", "BC", "Bouncy Castle / Bouncy Castle"));
        Map<String, Series> series = new LinkedHashMap<>();
        Map<String, Wire> wire = new LinkedHashMap<>();
        for (Provider provider : providers) {
            Ctx.log("keys: %s: starting the Vigil node and the devices' JVM", provider.id);
            try (Fork server = new Fork(ctx, "keys-server-" + provider.id, provider.node,
                    List.of("-Xmx1g", "-XX:+UseG1GC"), "handshake-server", "vigil", template.root().toString(),
                    keyFiles.get("p256").toString());
                    Fork load = new Fork(ctx, "keys-load-" + provider.id, provider.devices, List.of("-Xmx512m",
                            "-XX:+UseG1GC"), "keys-load", keyFiles.get("p256").toString(),
                            keyFiles.get("ed25519").toString(), serverPublic, Integer.toString(wireKeys))) {
                int port = server.ready.get("port").asInt();
                if (wire.isEmpty()) {
                    for (String algorithm : ALGORITHMS) {
                        wire.put(algorithm, wire(load, port, algorithm, wireKeys));
                    }
                }
                Ctx.log("keys: %s: warm-up, %d handshakes of each algorithm", provider.id, warmChunks * perRound);
                for (int c = 0; c < warmChunks; c++) {
                    for (String algorithm : ALGORITHMS) {
                        measure(server, load, port, algorithm, perRound, null);
                    }
                }
                for (int r = 0; r < rounds; r++) {
                    List<String> order = r % 2 == 0 ? ALGORITHMS : List.of(ALGORITHMS.get(1), ALGORITHMS.get(0));
                    for (String algorithm : order) {
                        Series into = series.computeIfAbsent(provider.id + "/" + algorithm, k -> new Series());
                        measure(server, load, port, algorithm, perRound, into);
                        Ctx.log("keys: %s round %d %s: device %.2f ms (DTLS threads %.2f), server %.2f ms (%.2f) CPU"
                                + " per handshake", provider.id, r + 1, algorithm, last(into.deviceCpu),
                                last(into.deviceDtls), last(into.serverCpu), last(into.serverDtls));
                    }
                }
            }
        }

        for (Provider provider : providers) {
            for (String algorithm : ALGORITHMS) {
                Series s = series.get(provider.id + "/" + algorithm);
                section.row(provider.label, LABELS.get(algorithm),
                        Fmt.num(Fmt.median(s.deviceCpu)) + " (" + Fmt.num(Fmt.median(s.deviceDtls)) + ")",
                        Fmt.num(Fmt.median(s.serverCpu)) + " (" + Fmt.num(Fmt.median(s.serverDtls)) + ")",
                        Fmt.list(s.serverCpu), Fmt.median(s.p50), s.completed + " (" + s.failed + ")");
            }
        }
        Section ratios = section.table("Ed25519 / P-256, same run: ratio of the medians (in brackets: lowest and"
                + " highest ratio of a round to its neighbouring round of the other algorithm); below 1: Ed25519 costs"
                + " less", "JCE provider: node / devices", "device CPU", "device DTLS threads", "server CPU",
                "server DTLS threads");
        for (Provider provider : providers) {
            Series p = series.get(provider.id + "/p256");
            Series e = series.get(provider.id + "/ed25519");
            ratios.row(provider.label, ratio(e.deviceCpu, p.deviceCpu), ratio(e.deviceDtls, p.deviceDtls),
                    ratio(e.serverCpu, p.serverCpu), ratio(e.serverDtls, p.serverDtls));
        }

        Section bytes = section.table("Bytes on the wire of one full handshake (UDP payload: the DTLS records; average"
                + " of " + wireKeys + " handshakes, each with a fresh key)", "device key", "device → server bytes"
                        + " (datagrams)", "server → device bytes (datagrams)", "total UDP payload bytes",
                "total incl. IPv4+UDP headers", "datagrams");
        for (String algorithm : ALGORITHMS) {
            Wire w = wire.get(algorithm);
            bytes.row(LABELS.get(algorithm), fmt(w.upBytes, w.upDatagrams), fmt(w.downBytes, w.downDatagrams),
                    w.bytes(), w.bytes() + 28 * w.datagrams(), signed(w.datagrams()).replace("+", ""));
        }
        Wire p = wire.get("p256");
        Wire e = wire.get("ed25519");
        bytes.row("Ed25519 − P-256",
                signed(e.upBytes - p.upBytes) + " (" + signed(e.upDatagrams - p.upDatagrams) + ")",
                signed(e.downBytes - p.downBytes) + " (" + signed(e.downDatagrams - p.downDatagrams) + ")",
                signed(e.bytes() - p.bytes()), signed(e.bytes() - p.bytes() + 28 * (e.datagrams() - p.datagrams())),
                signed(e.datagrams() - p.datagrams()));

        Section messages = section.table("Where the bytes differ: clear-text handshake messages (12-byte header"
                + " included; both ClientHellos, before and after the HelloVerifyRequest; first measured handshake)",
                "message", "EC P-256 bytes", "Ed25519 bytes", "Ed25519 − P-256");
        Set<String> names = new LinkedHashSet<>(p.messages.keySet());
        names.addAll(e.messages.keySet());
        for (String name : names) {
            int a = p.messages.getOrDefault(name, 0);
            int b = e.messages.getOrDefault(name, 0);
            messages.row(name, a, b, signed(b - a));
        }

        section.define(String.format("Full DTLS 1.2 handshakes (ECDHE_ECDSA, raw public keys both ways,"
                + " HelloVerifyRequest on) between devices configured as DeviceClient is (CCM_8 then GCM; X25519"
                + " then P-256 for the ECDHE; signatures of the device key's algorithm and ECDSA) and a Vigil node"
                + " whose own key is P-256, on loopback. The node (VigilServer.start, %d + %d registered ACTIVE"
                + " devices of each algorithm) runs in one JVM, the devices in another, each with its JCE provider"
                + " (CALIFORNIUM_JCE_PROVIDER): as shipped, the node's Bouncy Castle (BC_NON_BLOCKING_RANDOM,"
                + " CryptoProvider's default) and the JDK's SunEC for the devices (vigil-device has no other)%s; one"
                + " pair of JVMs per combination. One handshake at a time: before each the device's connector"
                + " forgets its connection state (a full handshake, never a resumption) and presents the next of its"
                + " %d keys; the handshake carries a CoAP ping and ends when the node's Reset is back. CPU = process"
                + " CPU time (OperatingSystemMXBean) of each JVM over a round divided by the handshakes completed;"
                + " 'DTLS threads' = the ThreadMXBean CPU time of the JVM's DTLS receiver, worker and timer threads"
                + " only (no JIT, GC, CoAP stack). After a warm-up of %d handshakes per algorithm (in alternated"
                + " rounds), %d rounds of %d handshakes per algorithm, alternated P-256, Ed25519, Ed25519, P-256...;"
                + " medians of the rounds; process CPU time advances in 10 ms ticks here, %.3f ms per handshake at"
                + " this round size. Bytes: a UDP relay between a device and the node counts datagrams and UDP"
                + " payload each way for handshake + ping + Reset, minus a ping + Reset over the session it"
                + " established; 'incl. headers' adds 28 bytes per datagram (IPv4 20 + UDP 8).", keyCount, wireKeys,
                ctx.quick ? "" : ", then SunEC on both sides and Bouncy Castle on both sides", keyCount,
                warmChunks * perRound, rounds, perRound, 10.0 / perRound));
        for (String algorithm : ALGORITHMS) {
            Wire w = wire.get(algorithm);
            section.note(LABELS.get(algorithm) + " device, negotiated on the wire: " + w.negotiated
                    + (w.retransmissions > 0 ? "; " + w.retransmissions + " DTLS retransmissions in the counted"
                            + " handshakes" : "; no retransmissions"));
        }
        for (Provider provider : providers) {
            for (String algorithm : ALGORITHMS) {
                Series s = series.get(provider.id + "/" + algorithm);
                if (s.serverHandshakes != s.completed) {
                    section.note(String.format("%s %s: the node counted %d full handshakes for %d completed.",
                            provider.id, algorithm, s.serverHandshakes, s.completed));
                }
                if (s.retransmissions > 0) {
                    section.note(String.format("%s %s: %d DTLS retransmissions during the measured rounds.",
                            provider.id, algorithm, s.retransmissions));
                }
                if (!s.errors.isEmpty()) {
                    section.note(provider.id + " " + algorithm + " failures, e.g.: " + String.join("; ", s.errors));
                }
            }
        }
        section.note("Load average (1, 5, 15 min) when the measurements began: " + loadBefore + "; when they ended: "
                + loadAverage() + ". CPU time is what each JVM used, but other work on the same cores still moves it"
                + " (caches, frequency): compare rows of one run, and mind the spread of the round-by-round ratios.");
        Series sunP = series.get(shipped.id + "/p256");
        Series sunE = series.get(shipped.id + "/ed25519");
        section.note(String.format("As shipped (node on Bouncy Castle, devices on SunEC), Ed25519 / P-256 per full"
                + " handshake: device CPU %s, server CPU %s (DTLS threads only: %s and %s); UDP payload %s bytes"
                + " (%s of %.0f)."
                + " Only the device's key changes: the node still signs with its P-256 key and the ECDHE is the same"
                + " (X25519); what differs is the device's signature (CertificateVerify), the node's check of it, and"
                + " the raw public key in the device's Certificate. libcoap 4.3.1 cannot use Ed25519 keys"
                + " (CALIFORNIUM-NOTES), so such devices must run Scandium.", ratio(sunE.deviceCpu, sunP.deviceCpu),
                ratio(sunE.serverCpu, sunP.serverCpu), ratio(sunE.deviceDtls, sunP.deviceDtls),
                ratio(sunE.serverDtls, sunP.serverDtls), signed(e.bytes() - p.bytes()),
                Fmt.pct((e.bytes() - p.bytes()) / p.bytes()).replace("-", "−"), p.bytes()));
        section.data.put("series", series.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, x -> Map.of("deviceCpuMs", x.getValue().deviceCpu, "deviceDtlsMs",
                        x.getValue().deviceDtls, "serverCpuMs", x.getValue().serverCpu, "serverDtlsMs",
                        x.getValue().serverDtls), (a, b) -> a, LinkedHashMap::new)));
        return section;
    }

    /** {@code count} handshakes of {@code algorithm}; CPU per handshake on both sides into {@code into}, if any. */
    private static void measure(Fork server, Fork load, int port, String algorithm, int count, Series into)
            throws Exception {
        JsonNode before = server.call("stats");
        JsonNode result = load.call("run " + port + " " + algorithm + " " + count);
        JsonNode after = server.call("stats");
        long completed = result.get("completed").asLong();
        if (completed == 0) {
            throw new IllegalStateException(algorithm + ": no handshake completed: " + result.path("errors"));
        }
        if (into == null) {
            return;
        }
        into.deviceCpu.add(result.get("cpuNanos").asLong() / 1e6 / completed);
        into.deviceDtls.add(result.get("dtlsNanos").asLong() / 1e6 / completed);
        into.serverCpu.add((after.get("cpuNanos").asLong() - before.get("cpuNanos").asLong()) / 1e6 / completed);
        into.serverDtls.add((dtlsNanos(after) - dtlsNanos(before)) / 1e6 / completed);
        into.p50.add(result.get("p50Ms").asDouble());
        into.completed += completed;
        into.failed += result.get("failed").asLong();
        into.serverHandshakes += after.get("handshakes").asLong() - before.get("handshakes").asLong();
        into.retransmissions += result.get("retransmissions").asLong();
        for (JsonNode error : result.path("errors")) {
            if (into.errors.size() < 3) {
                into.errors.add(error.asText());
            }
        }
    }

    private static long dtlsNanos(JsonNode stats) {
        long total = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = stats.get("threads").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> thread = it.next();
            if (thread.getKey().startsWith("DTLS")) {
                total += thread.getValue().asLong();
            }
        }
        return total;
    }

    /** {@code count} full handshakes of {@code algorithm} through a counting relay, each with a key not used before. */
    private static Wire wire(Fork load, int port, String algorithm, int count) throws Exception {
        double[] sum = new double[4];
        Map<String, Integer> messages = null;
        String negotiated = null;
        long retransmissions = 0;
        for (int i = 0; i < count; i++) {
            try (UdpRelay relay = new UdpRelay(new InetSocketAddress("127.0.0.1", port))) {
                String target = relay.address().getPort() + " " + algorithm;
                UdpRelay.Counts start = relay.counts();
                retransmissions += load.call("wire-first " + target).get("retransmissions").asLong();
                UdpRelay.Counts established = relay.counts();
                load.call("wire-again " + target);
                UdpRelay.Counts ping = relay.counts().minus(established);
                UdpRelay.Counts first = established.minus(start);
                sum[0] += first.upBytes() - ping.upBytes();
                sum[1] += first.upDatagrams() - ping.upDatagrams();
                sum[2] += first.downBytes() - ping.downBytes();
                sum[3] += first.downDatagrams() - ping.downDatagrams();
                if (messages == null) {
                    messages = DtlsSniff.messageBytes(relay.captured());
                    negotiated = DtlsSniff.read(relay.captured()).toString();
                }
            }
        }
        Ctx.log("keys: %s: %.0f bytes on the wire per full handshake", algorithm, (sum[0] + sum[2]) / count);
        return new Wire(sum[0] / count, sum[1] / count, sum[2] / count, sum[3] / count, messages, negotiated,
                retransmissions);
    }

    private static String loadAverage() {
        try {
            String[] fields = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static double last(List<Double> values) {
        return values.get(values.size() - 1);
    }

    /** Ratio of the medians, then the range of the round-by-round ratios (round r of each was back to back). */
    private static String ratio(List<Double> numerator, List<Double> denominator) {
        double low = Double.MAX_VALUE;
        double high = 0;
        for (int r = 0; r < Math.min(numerator.size(), denominator.size()); r++) {
            double ratio = numerator.get(r) / denominator.get(r);
            low = Math.min(low, ratio);
            high = Math.max(high, ratio);
        }
        return Fmt.ratio(Fmt.median(numerator) / Fmt.median(denominator))
                + String.format(java.util.Locale.ROOT, " (%.2f–%.2f)", low, high);
    }

    private static String fmt(double bytes, double datagrams) {
        return String.format("%.0f (%s)", bytes, datagrams == Math.rint(datagrams) ? Long.toString((long) datagrams)
                : String.format("%.1f", datagrams));
    }

    private static String signed(double value) {
        String text = value == Math.rint(value) ? String.format("%.0f", Math.abs(value))
                : String.format("%.1f", Math.abs(value));
        return value > 0 ? "+" + text : value < 0 ? "−" + text : "0";
    }
}
