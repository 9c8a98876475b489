package dev.vigil.bench.handshake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Fork;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Libcoap;
import dev.vigil.bench.Section;
import dev.vigil.bench.crypto.CryptoFloor;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.devices.ManifestRow;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.Registry;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Full RPK handshakes per second: Vigil (registry-backed verifier, 100,000 registered devices) against
 * plain Scandium with its defaults, each server in its own JVM with its own JCE provider, one load JVM
 * alternating between them round by round; plus the crypto floor (JMH) and a libcoap interop check.
 */
public final class HandshakeBench {

    /** A server JVM under test. */
    record Variant(String id, String kind, String provider, String label) {
    }

    /** One (server, client curve preference) pair and what its rounds measured. */
    static final class Combo {
        final Variant variant;
        final String curve;
        final List<Double> rate = new ArrayList<>();
        final List<Double> serverCpuMs = new ArrayList<>();
        final List<Double> serverSysMs = new ArrayList<>();
        final List<Double> serverGcMs = new ArrayList<>();
        final List<Double> perCore = new ArrayList<>();
        final List<Double> loadCpuMs = new ArrayList<>();
        final List<Double> p50 = new ArrayList<>();
        final List<Double> p99 = new ArrayList<>();
        long failed;
        long totalCompleted;
        /** Server CPU ns by thread group over all measured rounds; "(JVM: JIT, GC, ...)" is the rest. */
        final Map<String, Long> threadCpu = new java.util.TreeMap<>();
        final List<String> errors = new ArrayList<>();

        Combo(Variant variant, String curve) {
            this.variant = variant;
            this.curve = curve;
        }

        String key() {
            return variant.id + "/" + curve;
        }
    }

    private HandshakeBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("handshake", "Full RPK handshakes: Vigil vs plain Scandium defaults",
                "server (JCE provider)", "client curve preference", "handshakes/s (median of rounds)",
                "rounds", "server CPU ms / handshake (of it: kernel, GC pauses)", "server handshakes/s/core", "load CPU ms / handshake",
                "latency p50 / p99 ms", "failed");
        int registered = ctx.pick(100_000, 20_000);
        int keyCount = ctx.pick(1_000, 300);
        int threads = 8;
        double warmSeconds = ctx.pick(4.0, 2.0);
        double roundSeconds = ctx.pick(6.0, 3.0);
        int rounds = ctx.pick(3, 1);

        Map<String, CryptoFloor.Costs> floor = CryptoFloor.run(ctx);

        // device keys and the template data directory all Vigil servers start from
        Ctx.log("handshake: %d device keys, registering %,d devices", keyCount, registered);
        List<KeyPair> keys = Keys.p256(keyCount);
        Path keysFile = Fixtures.file(ctx, "handshake-keys.txt");
        Keys.write(keysFile, keys);
        DataDir template = Fixtures.dataDir(ctx, "hs-template");
        double[] registration = register(template, keys, registered);
        String serverPublic = Base64.getEncoder().encodeToString(Fixtures.serverKey(template).getPublic().getEncoded());

        List<Variant> variants = List.of(
                new Variant("vigil-SYSTEM", "vigil", "SYSTEM", "Vigil (SunEC)"),
                new Variant("vigil-BC", "vigil", "BC", "Vigil (BC)"),
                new Variant("vigil-BCNB", "vigil", "BC_NON_BLOCKING_RANDOM", "Vigil (BC_NON_BLOCKING_RANDOM)"),
                new Variant("plain-SYSTEM", "plain", "SYSTEM", "plain Scandium defaults (SunEC)"),
                new Variant("plain-BC", "plain", "BC", "plain Scandium (BC)"));
        if (ctx.quick) {
            variants = List.of(variants.get(0), variants.get(1), variants.get(3));
        }
        Map<String, Fork> servers = new LinkedHashMap<>();
        Map<String, JsonNode> ready = new LinkedHashMap<>();
        Fork load = null;
        try {
            for (Variant variant : variants) {
                Ctx.log("handshake: starting server %s", variant.id);
                Fork fork = new Fork(ctx, "handshake-" + variant.id, variant.provider,
                        List.of("-Xmx1g", "-XX:+UseG1GC"), "handshake-server", variant.kind,
                        template.root().toString(), keysFile.toString());
                servers.put(variant.id, fork);
                ready.put(variant.id, fork.ready);
            }
            load = new Fork(ctx, "handshake-load", "BC", List.of("-Xmx1g"), "handshake-load", keysFile.toString(),
                    serverPublic, Integer.toString(threads));

            List<Combo> combos = new ArrayList<>();
            for (Variant variant : variants) {
                combos.add(new Combo(variant, "p256"));
            }
            for (Variant variant : variants) {
                if (!variant.id.equals("plain-BC") && (!ctx.quick || variant.id.equals("vigil-BC"))) {
                    combos.add(new Combo(variant, "x25519"));
                }
            }
            for (Combo combo : combos) {
                Ctx.log("handshake: warm-up %s", combo.key());
                round(servers.get(combo.variant.id), load, ready.get(combo.variant.id), combo.curve, warmSeconds, null);
            }
            for (int r = 0; r < rounds; r++) {
                // A/B/A/B: every combo once per round, the order reversed every other round
                List<Combo> order = new ArrayList<>(combos);
                if (r % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (Combo combo : order) {
                    round(servers.get(combo.variant.id), load, ready.get(combo.variant.id), combo.curve, roundSeconds,
                            combo);
                    Ctx.log("handshake: round %d %s: %.0f/s", r + 1, combo.key(), combo.rate.get(combo.rate.size() - 1));
                }
            }

            Combo plainDefault = find(combos, "plain-SYSTEM", "p256");
            Combo shipped = find(combos, "vigil-SYSTEM", "p256");
            for (Combo combo : combos) {
                section.row(combo.variant.label, combo.curve.equals("p256") ? "P-256 first (Scandium default)"
                        : "X25519 first", Fmt.median(combo.rate), Fmt.list(combo.rate), Fmt.num(Fmt.median(combo.serverCpuMs)) + " (" + Fmt.num(Fmt.median(combo.serverSysMs))
                                + ", " + Fmt.num(Fmt.median(combo.serverGcMs)) + ")",
                        Fmt.median(combo.perCore), Fmt.median(combo.loadCpuMs),
                        Fmt.num(Fmt.median(combo.p50)) + " / " + Fmt.num(Fmt.median(combo.p99)), combo.failed);
            }

            // libcoap interop for the Vigil variants
            Map<String, Libcoap.Outcome> interop = new LinkedHashMap<>();
            Path keyPem = Fixtures.file(ctx, "libcoap-device-key.pem");
            PemFiles.writeKeyPair(keyPem, keys.get(keys.size() - 1));
            Section libcoap = section.table("libcoap 4.3.1 interop: `coap-client-gnutls -M key.pem -m post -t 110` "
                    + "(P-256 device key, registered) against each Vigil server, through a relay that reads the negotiation off"
                    + " the wire", "server", "response", "ms", "negotiated", "detail");
            for (Variant variant : variants) {
                if (variant.kind.equals("vigil")) {
                    Libcoap.Outcome outcome = Libcoap.post(ready.get(variant.id).get("port").asInt(), keyPem,
                            ctx.logs.resolve("libcoap-" + variant.id + ".log"));
                    interop.put(variant.id, outcome);
                    libcoap.row(variant.label, outcome.code() == null ? "none" : outcome.code(), outcome.millis(),
                            String.valueOf(outcome.negotiated()), outcome.ok() ? "POST completed" : outcome.detail());
                }
            }

            // the recommendation: the fastest Vigil server provider that libcoap still talks to
            Combo best = null;
            for (Combo combo : combos) {
                if (combo.variant.kind.equals("vigil") && combo.curve.equals("p256")
                        && interop.getOrDefault(combo.variant.id, new Libcoap.Outcome(false, null, "", 0, null)).ok()
                        && (best == null || Fmt.median(combo.rate) > Fmt.median(best.rate))) {
                    best = combo;
                }
            }
            if (best == null) {
                best = shipped;
            }
            Combo bestX = find(combos, best.variant.id, "x25519");

            Section ratios = section.table("Ratios (B / A, medians of the alternated rounds)", "comparison", "A",
                    "B", "B/A handshakes/s", "B/A per server core");
            ratio(ratios, "recommended Vigil vs plain Scandium defaults (goal ≥ 3×)", plainDefault, best);
            if (bestX != null) {
                ratio(ratios, "recommended Vigil, devices preferring X25519, vs plain defaults", plainDefault, bestX);
            }
            ratio(ratios, "Vigil (SunEC) vs plain defaults (SunEC): Vigil's own overhead", plainDefault, shipped);
            Combo plainBc = find(combos, "plain-BC", "p256");
            Combo vigilBc = find(combos, "vigil-BC", "p256");
            if (plainBc != null && vigilBc != null) {
                ratio(ratios, "Vigil (BC) vs plain Scandium (BC): Vigil's overhead, same provider", plainBc, vigilBc);
            }
            ratio(ratios, "recommended Vigil vs Vigil with SunEC", shipped, best);

            Section floorTable = section.table("Crypto floor on this JVM (JMH, one thread; µs per operation; one side of"
                    + " a handshake = sign + verify + ECDHE keygen + agree)", "suite", "sign µs", "verify µs",
                    "ECDHE keygen+agree µs", "total µs", "handshakes/s/core (1/total)");
            double bestFloor = 0;
            String bestSuite = null;
            for (Map.Entry<String, CryptoFloor.Costs> entry : floor.entrySet()) {
                CryptoFloor.Costs c = entry.getValue();
                floorTable.row(entry.getKey(), c.sign(), c.verify(), c.ecdh(), c.handshake(), c.perCore());
                if (c.perCore() > bestFloor) {
                    bestFloor = c.perCore();
                    bestSuite = entry.getKey();
                }
            }
            String matchingSuite = (best.variant.provider.startsWith("BC") ? "BC" : "SunEC") + "-P256";
            double matchingFloor = floor.containsKey(matchingSuite) ? floor.get(matchingSuite).perCore() : Double.NaN;
            double bestPerCore = Fmt.median(best.perCore);
            double bestPerCoreX = bestX == null ? Double.NaN : Fmt.median(bestX.perCore);
            Section fraction = section.table("Vigil's measured rate per server core as a fraction of the floor (goal ≥ 0.7"
                    + " of the best floor)", "Vigil measurement", "server handshakes/s/core", "floor", "floor /s/core",
                    "fraction");
            fraction.row(best.variant.label + ", P-256 ECDHE", bestPerCore, "best: " + bestSuite, bestFloor,
                    bestPerCore / bestFloor);
            fraction.row(best.variant.label + ", P-256 ECDHE", bestPerCore, "same algorithms: " + matchingSuite,
                    matchingFloor, bestPerCore / matchingFloor);
            if (bestX != null) {
                String xSuite = matchingSuite + "+X25519";
                double xFloor = floor.containsKey(xSuite) ? floor.get(xSuite).perCore() : Double.NaN;
                fraction.row(best.variant.label + ", X25519 ECDHE", bestPerCoreX, "same algorithms: " + xSuite, xFloor,
                        bestPerCoreX / xFloor);
            }

            // where the server's time goes: sample stacks during one more round of each
            List<Combo> profiled = new ArrayList<>(List.of(best));
            if (shipped != best) {
                profiled.add(shipped);
            }
            profiled.add(plainDefault);
            List<String> profileColumns = new ArrayList<>(List.of("bucket"));
            List<JsonNode> profiles = new ArrayList<>();
            for (Combo combo : profiled) {
                profileColumns.add(combo.variant.label);
                JsonNode result = profiled(servers.get(combo.variant.id), load, ready.get(combo.variant.id), roundSeconds);
                profiles.add(result);
                section.data.put("profile-" + combo.variant.id, result);
            }
            Section profile = section.table("Where server CPU goes: JFR execution samples (plus native UDP sends) of the"
                    + " server JVM during one extra round each, P-256 first; share of samples",
                    profileColumns.toArray(String[]::new));
            java.util.Set<String> buckets = new java.util.LinkedHashSet<>();
            for (JsonNode result : profiles) {
                result.get("buckets").fieldNames().forEachRemaining(buckets::add);
            }
            for (String bucket : buckets) {
                List<Object> cells = new ArrayList<>(List.of(bucket));
                for (JsonNode result : profiles) {
                    cells.add(Fmt.pct(result.get("buckets").path(bucket).asDouble()));
                }
                profile.row(cells.toArray());
            }
            Section byThread = section.table("Server CPU by thread (ms per handshake, all measured rounds, P-256 first)",
                    profileColumns.toArray(String[]::new));
            java.util.Set<String> groups = new java.util.TreeSet<>();
            for (Combo combo : profiled) {
                combo.threadCpu.forEach((group, nanos) -> {
                    if (nanos / 1e6 / Math.max(1, combo.totalCompleted) >= 0.01) {
                        groups.add(group);
                    }
                });
            }
            for (String group : groups) {
                List<Object> cells = new ArrayList<>(List.of(group.isBlank() ? "(unnamed)" : group));
                for (Combo combo : profiled) {
                    cells.add(combo.threadCpu.getOrDefault(group, 0L) / 1e6 / Math.max(1, combo.totalCompleted));
                }
                byThread.row(cells.toArray());
            }
            List<Object> counts = new ArrayList<>(List.of("(samples)"));
            for (JsonNode result : profiles) {
                counts.add(result.get("samples").asInt());
            }
            profile.row(counts.toArray());

            section.define(String.format("Full DTLS 1.2 handshakes (ECDHE_ECDSA, RPK both ways, HelloVerifyRequest on)"
                    + " on loopback. Each server runs in its own JVM (-Xmx1g, provider via CALIFORNIUM_JCE_PROVIDER);"
                    + " one load JVM (Bouncy Castle) runs %d client threads, each with its own Scandium client connector"
                    + " that forgets its connection state before every handshake and presents the next of %d"
                    + " registered device keys, so every handshake is a full one (never a resumption). A handshake is"
                    + " counted when the CoAP ping it carries has been sent over the new session. The load alternates"
                    + " between the servers: %d round(s) of %.0f s per (server, curve preference), order reversed every"
                    + " other round, after a %.0f s warm-up each. Vigil: a Vigil node (VigilServer.start) with %,d"
                    + " devices registered (%d of them the load's keys, ACTIVE); plain: a Scandium DTLSConnector with"
                    + " default configuration, the same server key, StaticNewAdvancedCertificateVerifier trusting the"
                    + " load's keys. 'server handshakes/s/core' = handshakes / server-process CPU seconds: what one"
                    + " core of a server does when the clients are elsewhere (here the load shares the 2 cores, so"
                    + " wall-clock rates are lower).", threads, keyCount, rounds, roundSeconds, warmSeconds, registered,
                    keyCount));
            section.note(String.format("Registration of %,d devices: DeviceImporter.importAll %.1f s (%,.0f rows/s);"
                    + " then %d of them activated with DeviceRegistry.activate (what a first handshake does):"
                    + " %.1f s (%.1f ms each).", registered, registration[0], registered / registration[0], keyCount,
                    registration[1], registration[1] * 1000 / keyCount));
            String bestLabel = best.variant.label;
            boolean coapOk = interop.getOrDefault(best.variant.id, new Libcoap.Outcome(false, null, "", 0, null)).ok();
            Combo otherBc = find(combos, best.variant.id.equals("vigil-BC") ? "vigil-BCNB" : "vigil-BC", "p256");
            String tie = otherBc == null ? "" : String.format(" (%s: %.0f/s, within %.0f%%: the two BC modes differ"
                    + " only in how SecureRandom is seeded at start-up)", otherBc.variant.label, Fmt.median(otherBc.rate),
                    100 * Math.abs(Fmt.median(otherBc.rate) / Fmt.median(best.rate) - 1));
            Libcoap.Outcome bestCoap = interop.get(best.variant.id);
            section.note(String.format("**Recommendation: run the Vigil server with CALIFORNIUM_JCE_PROVIDER=%s** (%s):"
                    + " %.0f handshakes/s vs %.0f for plain Scandium defaults (%.2f× wall-clock, %.2f× per server core)"
                    + " and %.2f× Vigil with SunEC%s. libcoap 4.3.1 (coap-client-gnutls, P-256 key) %s against it%s.",
                    best.variant.provider, bestLabel, Fmt.median(best.rate), Fmt.median(plainDefault.rate),
                    Fmt.median(best.rate) / Fmt.median(plainDefault.rate), bestPerCore / Fmt.median(plainDefault.perCore),
                    Fmt.median(best.rate) / Fmt.median(shipped.rate), tie, coapOk ? "completes a POST" : "FAILS",
                    bestCoap == null || bestCoap.negotiated() == null ? "" : " (" + bestCoap.negotiated() + ")"));
            double worker = best.threadCpu.getOrDefault("DTLSWorker", 0L) / 1e6 / Math.max(1, best.totalCompleted);
            double jit = best.threadCpu.getOrDefault("(JVM: JIT compilation, per CompilationMXBean)", 0L) / 1e6
                    / Math.max(1, best.totalCompleted);
            JsonNode bestBuckets = section.data.containsKey("profile-" + best.variant.id)
                    ? ((JsonNode) section.data.get("profile-" + best.variant.id)).get("buckets") : null;
            double crypto = 0;
            double send = 0;
            if (bestBuckets != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = bestBuckets.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> bucket = it.next();
                    if (bucket.getKey().startsWith("signature") || bucket.getKey().startsWith("ECDHE")) {
                        crypto += bucket.getValue().asDouble();
                    } else if (bucket.getKey().startsWith("UDP send")) {
                        send += bucket.getValue().asDouble();
                    }
                }
            }
            CryptoFloor.Costs matching = floor.get(matchingSuite);
            double vigilCode = bestBuckets == null ? Double.NaN
                    : bestBuckets.path("Vigil code (admission, gate, resources)").asDouble(0);
            double sameProvider = vigilBc != null && plainBc != null
                    ? Fmt.median(vigilBc.perCore) / Fmt.median(plainBc.perCore)
                    : Fmt.median(shipped.perCore) / Fmt.median(plainDefault.perCore);
            double x25519Saving = bestX == null ? Double.NaN
                    : 1 - Fmt.median(bestX.serverCpuMs) / Fmt.median(best.serverCpuMs);
            double providerGap = floor.containsKey("SunEC-P256") && floor.containsKey("BC-P256")
                    ? floor.get("SunEC-P256").handshake() / floor.get("BC-P256").handshake() : Double.NaN;
            section.note(String.format("Where the time goes (%s, P-256 ECDHE): %.2f ms of server CPU per handshake;"
                    + " %.2f ms of it in the DTLS worker threads (the handshake itself) and %.2f ms JIT compilation still"
                    + " going on after the warm-up; the rest is GC, timers and the receiver thread. Of the sampled server"
                    + " time %.0f%% is signature + ECDHE work (≈ %.2f ms per handshake vs a JMH floor of %.2f ms for %s:"
                    + " the crypto itself runs at about floor speed), %.0f%% UDP sends of the server's three flights (on"
                    + " loopback a send also delivers to the peer), the rest Scandium's record and handshake-message"
                    + " processing, hashing, PRF and key decoding; Vigil's own code is %.1f%% of the samples, and Vigil"
                    + " costs %.2f× plain Scandium's per-core rate with the same provider. The floor is out of reach"
                    + " because %.0f%% of the sampled handshake time is protocol work around the crypto, plus JIT and GC; the"
                    + " best floor (Ed25519 + X25519) would also need Ed25519 device keys, which libcoap 4.3.1 cannot"
                    + " use. What moves the rate: the provider (SunEC's P-256 floor is %.1f× Bouncy Castle's), the"
                    + " ECDHE group devices offer first (X25519 first cut server CPU per handshake by %.0f%% here), and"
                    + " a long-running, warmed-up JVM.", bestLabel, Fmt.median(best.serverCpuMs), worker, jit,
                    crypto * 100, crypto * (Fmt.median(best.serverCpuMs) - jit),
                    matching == null ? Double.NaN : matching.handshake() / 1000, matchingSuite, send * 100,
                    vigilCode * 100, sameProvider, (1 - crypto) * 100, providerGap, x25519Saving * 100));
            Section held = section.table("What each server holds after the run (the load used "
                    + threads * HandshakeLoad.CURVES.size() + " client connectors, so as many client addresses)", "server", "full handshakes served",
                    "established connections held", "heap after full GC MB");
            for (Variant variant : variants) {
                JsonNode stats = servers.get(variant.id).call("stats");
                JsonNode heap = servers.get(variant.id).call("heap");
                held.row(variant.label, stats.get("handshakes").asLong(), heap.get("connections").asInt(),
                        heap.get("heapAfterGc").asLong() / 1e6);
                section.data.put("held-" + variant.id, heap);
            }
            JsonNode heldShipped = (JsonNode) section.data.get("held-" + shipped.variant.id);
            JsonNode heldPlain = (JsonNode) section.data.get("held-" + plainDefault.variant.id);
            int addresses = threads * HandshakeLoad.CURVES.size();
            if (heldShipped.get("connections").asInt() > 2 * addresses) {
                section.note(String.format("Every full handshake left an established connection behind, although the"
                        + " load uses only %d client addresses: %s holds %,d, plain Scandium %,d. A new handshake from an"
                        + " address only detaches the older connection from that address; it stays (with its"
                        + " session, for resumption, and with Vigil reachable by its Connection ID) until the LRU evicts"
                        + " it (DTLS_MAX_CONNECTIONS, default 150,000; stale threshold 30 min). Scandium's behaviour, not"
                        + " Vigil's, but it sizes a Vigil node: devices that reboot and handshake again leave their old"
                        + " sessions behind, up to 150,000 × the per-session bytes of the sessions benchmark."
                        + " Setting DTLS_MAX_CONNECTIONS to the fleet size (plus margin), or"
                        + " DTLS_REMOVE_STALE_DOUBLE_PRINCIPALS=true (at the price of seeing fewer clones), bounds it.",
                        addresses, shipped.variant.label, heldShipped.get("connections").asInt(),
                        heldPlain.get("connections").asInt()));
            }
            section.data.put("recommendedProvider", best.variant.provider);
            section.data.put("servers", ready);
            for (Combo combo : combos) {
                if (!combo.errors.isEmpty()) {
                    section.note(combo.key() + " failures, e.g.: " + String.join("; ", combo.errors));
                }
            }
        } finally {
            if (load != null) {
                load.close();
            }
            for (Fork fork : servers.values()) {
                fork.close();
            }
        }
        return section;
    }

    private static Combo find(List<Combo> combos, String id, String curve) {
        for (Combo combo : combos) {
            if (combo.variant.id.equals(id) && combo.curve.equals(curve)) {
                return combo;
            }
        }
        return null;
    }

    private static void ratio(Section table, String what, Combo a, Combo b) {
        if (a == null || b == null) {
            return;
        }
        table.row(what, a.variant.label + " " + a.curve + ": " + Fmt.num(Fmt.median(a.rate)) + "/s",
                b.variant.label + " " + b.curve + ": " + Fmt.num(Fmt.median(b.rate)) + "/s",
                Fmt.ratio(Fmt.median(b.rate) / Fmt.median(a.rate)),
                Fmt.ratio(Fmt.median(b.perCore) / Fmt.median(a.perCore)));
    }

    private static void round(Fork server, Fork load, JsonNode ready, String curve, double seconds, Combo into)
            throws Exception {
        JsonNode before = server.call("stats");
        JsonNode result = load.call("round " + ready.get("port").asInt() + " " + seconds + " " + curve);
        JsonNode after = server.call("stats");
        if (into == null) {
            return;
        }
        long completed = result.get("completed").asLong();
        double serverCpu = (after.get("cpuNanos").asLong() - before.get("cpuNanos").asLong()) / 1e9;
        into.rate.add(completed / result.get("seconds").asDouble());
        into.serverCpuMs.add(completed == 0 ? Double.NaN : serverCpu * 1000 / completed);
        into.serverSysMs.add(completed == 0 ? Double.NaN
                : (after.get("sysMillis").asLong() - before.get("sysMillis").asLong()) / (double) completed);
        into.serverGcMs.add(completed == 0 ? Double.NaN
                : (after.get("gcMillis").asLong() - before.get("gcMillis").asLong()) / (double) completed);
        into.perCore.add(serverCpu == 0 ? Double.NaN : completed / serverCpu);
        into.loadCpuMs.add(completed == 0 ? Double.NaN : result.get("cpuNanos").asLong() / 1e6 / completed);
        into.p50.add(result.get("p50Ms").asDouble());
        into.p99.add(result.get("p99Ms").asDouble());
        into.failed += result.get("failed").asLong();
        into.totalCompleted += completed;
        long javaThreads = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = after.get("threads").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            long delta = entry.getValue().asLong() - before.get("threads").path(entry.getKey()).asLong(0);
            if (delta > 0) {
                into.threadCpu.merge(entry.getKey(), delta, Long::sum);
                javaThreads += delta;
            }
        }
        long jit = (after.get("jitMillis").asLong() - before.get("jitMillis").asLong()) * 1_000_000;
        long gcPauses = (after.get("gcMillis").asLong() - before.get("gcMillis").asLong()) * 1_000_000;
        long rest = Math.max(0, (long) (serverCpu * 1e9) - javaThreads);
        into.threadCpu.merge("(JVM: JIT compilation, per CompilationMXBean)", Math.min(rest, jit), Long::sum);
        into.threadCpu.merge("(JVM: GC pauses, wall time)", Math.min(Math.max(0, rest - jit), gcPauses), Long::sum);
        into.threadCpu.merge("(JVM: rest: concurrent GC, VM threads)", Math.max(0, rest - jit - gcPauses), Long::sum);
        for (Iterator<JsonNode> it = result.path("errors").elements(); it.hasNext() && into.errors.size() < 3;) {
            into.errors.add(it.next().asText());
        }
    }

    private static JsonNode profiled(Fork server, Fork load, JsonNode ready, double seconds) throws Exception {
        server.call("profile-start");
        load.call("round " + ready.get("port").asInt() + " " + seconds + " p256");
        return server.call("profile-stop");
    }

    /**
     * Registers {@code total} devices in the template: the load's keys (with their public keys) and
     * key-id-only rows for the rest, in one DeviceImporter manifest; then activates the load's keys.
     *
     * @return seconds to import, seconds to activate
     */
    private static double[] register(DataDir template, List<KeyPair> keys, int total) {
        List<ManifestRow> rows = new ArrayList<>(total);
        for (int i = 0; i < keys.size(); i++) {
            byte[] spki = keys.get(i).getPublic().getEncoded();
            rows.add(new ManifestRow(String.format("hs-%06d", i), "sensor", KeyIds.ofSubjectPublicKeyInfo(spki), spki));
        }
        SecureRandom random = new SecureRandom();
        byte[] digest = new byte[32];
        for (int i = keys.size(); i < total; i++) {
            random.nextBytes(digest);
            rows.add(new ManifestRow(String.format("hs-%06d", i), "sensor",
                    "ni:///sha-256;" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest), null));
        }
        try (Database database = Database.openEmbedded(template.root())) {
            Registry registry = Registry.open(database, Clock.systemUTC());
            long t0 = System.nanoTime();
            registry.importer().importAll(rows, "handshake-bench.csv", Actor.system("bench"), n -> {
            });
            long t1 = System.nanoTime();
            for (int i = 0; i < keys.size(); i++) {
                registry.devices().activate(rows.get(i).keyId(), keys.get(i).getPublic(), false);
            }
            long t2 = System.nanoTime();
            return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9};
        }
    }
}
