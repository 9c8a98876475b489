package dev.vigil.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fork;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Section;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code scripts/bench soak}: 10,000 sleepy devices against one node for an hour (quick: 500 for 2
 * minutes; {@code SOAK_DEVICES}, {@code SOAK_MINUTES}, {@code SOAK_INTERVAL_SECONDS} override), each waking
 * every 5 minutes for a full handshake and one reading. Heap after GC is sampled every minute: it must stay
 * flat once every device has a session; and nothing acknowledged may be missing from the database.
 */
public final class SoakBench {

    private SoakBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        int devices = Integer.parseInt(System.getenv().getOrDefault("SOAK_DEVICES", Integer.toString(ctx.pick(10_000, 500))));
        int minutes = Integer.parseInt(System.getenv().getOrDefault("SOAK_MINUTES", Integer.toString(ctx.pick(60, 2))));
        int interval = Integer.parseInt(System.getenv().getOrDefault("SOAK_INTERVAL_SECONDS",
                Integer.toString(ctx.pick(300, 30))));
        Section section = new Section("soak", "Soak: sleepy devices for a long run, heap flat and nothing lost",
                "minute", "readings acknowledged", "failed", "stored in the database", "live sessions",
                "connections", "heap after GC MB");
        Path keysFile = Fixtures.file(ctx, "soak-keys.txt");
        Keys.write(keysFile, Keys.p256(devices));
        List<double[]> heap = new ArrayList<>();
        long acked = 0;
        long failed = 0;
        long stored = 0;
        try (Fork server = new Fork(ctx, "soak-server", "BC", List.of("-Xmx1g", "-XX:+UseG1GC"), "sessions-server",
                keysFile.toString(), "30");
                Fork load = new Fork(ctx, "soak-load", "BC", List.of("-Xmx1g"), "soak-load", keysFile.toString(),
                        server.ready.get("serverKey").asText(), server.ready.get("port").asText(),
                        Integer.toString(interval), "4")) {
            Ctx.log("soak: %,d devices, one reading each every %d s, for %d min", devices, interval, minutes);
            for (int minute = 1; minute <= minutes; minute++) {
                JsonNode round = load.call("run 60");
                acked += round.get("acked").asLong();
                failed += round.get("failed").asLong();
                JsonNode state = server.call("soak");
                stored = state.get("stored").asLong();
                double mb = state.get("heap").asLong() / 1e6;
                heap.add(new double[] {minute, mb});
                section.row(minute, acked, failed, stored, state.get("liveSessions").asInt(),
                        state.get("connections").asInt(), mb);
                Ctx.log("soak: minute %d: %s / %s", minute, round, state);
            }
        }
        double settledFrom = heap.get(Math.min(heap.size() - 1, Math.max(0, interval / 60))).length > 0
                ? heap.get(Math.min(heap.size() - 1, (int) Math.ceil(interval / 60.0)))[1] : 0;
        double last = heap.get(heap.size() - 1)[1];
        section.define(String.format("A Vigil node in its own JVM (-Xmx1g, G1, Bouncy Castle) with %,d registered"
                + " devices. A load JVM wakes each device every %d s (spread evenly): full DTLS handshake from its own"
                + " address and port, one CON POST /t (SenML CBOR), the 2.04, then the client drops its side without a"
                + " close_notify, as a sleepy device does. Every minute: readings acknowledged so far, readings in the"
                + " database, live sessions and connections as the server counts them, server heap after full GCs.",
                devices, interval));
        section.note(String.format("Nothing lost: %,d acknowledged, %,d stored (%s). Heap once every device has had"
                + " a session: %.1f MB, at the end %.1f MB (%+.1f MB).", acked, stored,
                stored >= acked ? "every acknowledged reading is there" : "MISSING " + (acked - stored), settledFrom, last,
                last - settledFrom));
        if (failed > 0) {
            section.note(failed + " device wake-ups failed (no 2.04): see bench/target/bench-logs/soak-load.log");
        }
        return section;
    }
}
