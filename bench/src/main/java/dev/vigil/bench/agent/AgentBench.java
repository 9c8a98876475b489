package dev.vigil.bench.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.bench.Child;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Fork;
import dev.vigil.bench.Section;
import dev.vigil.bench.UdpRelay;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.agent.Agent;
import dev.vigil.device.agent.AgentConfig;
import dev.vigil.device.agent.AgentStatus;
import dev.vigil.device.agent.Measurement;
import dev.vigil.device.agent.QueuedReading;
import dev.vigil.device.agent.ReadingQueue;
import dev.vigil.device.agent.SenmlPack;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.server.VigilConfig;
import dev.vigil.server.VigilServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.config.Configuration;

/**
 * {@code scripts/bench agent}: what the device agent ({@code vigil-device run}) costs on the radio and in memory
 * — UDP bytes per reading sent alone and in packs of 10, CON and NON (counted by a relay, against one reading
 * alone as CON, the agent's default, in the same run); full handshakes per simulated day at 5-minute reporting
 * with a 24 h session lifetime and NAT rebindings; the heap of an agent in a {@code -Xmx32m} JVM after a
 * simulated hour and after a simulated day.
 */
public final class AgentBench {

    /** Simulated time: one 5-minute interval passes in this many real milliseconds. */
    private static final int TICK_MILLIS = 50;
    private static final int TICKS_PER_DAY = 288;

    private AgentBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("agent", "Device agent: UDP bytes per reading", "how sent",
                "UDP payload bytes per reading (both ways)", "of which SenML", "overhead per reading",
                "datagrams per reading", "vs one reading alone, CON");
        int repeats = ctx.pick(40, 10);
        int days = ctx.pick(3, 2);
        DataDir dir = Fixtures.dataDir(ctx, "agent");
        Configuration config = Fixtures.serverConfig(30);
        // the session lifetime of a day, compressed as the reporting interval is (5 min → 50 ms)
        long dayMillis = (long) TICKS_PER_DAY * TICK_MILLIS;
        config.set(VigilConfig.SESSION_MAX_LIFETIME, dayMillis, TimeUnit.MILLISECONDS);
        config.set(VigilConfig.SESSION_SWEEP_INTERVAL, 200, TimeUnit.MILLISECONDS);
        try (VigilServer server = VigilServer.start(dir, config, Clock.systemUTC());
                ManagementClient admin = Fixtures.admin(dir, server)) {
            Fixtures.applyBenchPolicy(admin);
            Path serverKey = dir.serverPublicKey();
            double baseline = 0;
            for (String[] way : new String[][] {{"one reading alone, CON (default)", "1", "1"},
                    {"one reading alone, NON", "1", "1000"}, {"packs of 10, CON", "10", "1"},
                    {"packs of 10, NON", "10", "1000"}}) {
                int pack = Integer.parseInt(way[1]);
                Path state = device(ctx, server, admin, "agent-" + section.rows.size());
                double[] perReading = bytesPerReading(server, serverKey, state, pack, way[2], repeats);
                if (baseline == 0) {
                    baseline = perReading[0];
                }
                section.row(way[0], Fmt.num(perReading[0]), Fmt.num(perReading[1]),
                        Fmt.num(perReading[0] - perReading[1]), String.format("%.2f", perReading[2]),
                        Fmt.ratio(perReading[0] / baseline));
            }
            Section day = section.table("A simulated day at 5-minute reporting (" + TICKS_PER_DAY
                    + " readings), session lifetime 24 h", "measurement", "value");
            simulatedDays(ctx, server, admin, serverKey, days, day);
            Section heap = section.table("Agent heap in a -Xmx32m JVM (used heap after a full GC)", "after",
                    "heap used KiB", "vs after a simulated hour");
            heap(ctx, server, admin, serverKey, heap);
        }
        section.define("A UDP relay in the benchmark forwards datagrams between one agent (dev.vigil.device.agent.Agent,"
                + " as `vigil-device run` runs it, source `sim`) and a Vigil node on loopback and counts their UDP"
                + " payload (the DTLS records) each way. Bytes per reading: an agent's run with N readings queued"
                + " minus a run with none (both start with the same full handshake), divided by N; the readings are"
                + " 5 minutes apart, as after an outage, so each record of a pack carries its age. 'of which SenML':"
                + " the CoAP payload, SenmlPack.encode of the same readings. CON: every request confirmable, the"
                + " 2.04 piggybacked on the ACK; NON (confirm-every=1000): the 2.04 comes back as a NON response. The"
                + " simulated days compress time: a 5-minute interval is " + TICK_MILLIS + " ms, the server's session"
                + " lifetime (24 h) " + dayMillis + " ms; the relay rebinds its source port every simulated 2 hours."
                + " Devices are pinned TRUSTED (compressed, 5-minute reporting is 20 requests a second, which the"
                + " trust engine would rightly call a deviation).");
        return section;
    }

    private static Path device(Ctx ctx, VigilServer server, ManagementClient admin, String name) throws Exception {
        Path state = ctx.scratch("agent-" + name);
        KeyPair key = DeviceKeys.generate(state);
        server.registry().devices().add(name, key.getPublic(), Fixtures.BENCH_PROFILE, Actor.system("bench"));
        admin.call("device.trust.pin", Child.object().put("name", name).put("tier", "TRUSTED"));
        return state;
    }

    private static AgentConfig config(Path state, InetSocketAddress at, Path serverKey, Map<String, String> more)
            throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("server", "coaps://127.0.0.1:" + at.getPort());
        values.put("server-key", serverKey.toString());
        values.put("interval", TICK_MILLIS + "ms");
        values.put("sources", "sim");
        values.put("timeout", "2s");
        values.put("backoff-max", "500ms");
        values.putAll(more);
        return AgentConfig.load(state, values);
    }

    /** {UDP payload bytes, SenML bytes, datagrams} per reading, for readings 5 minutes apart sent in packs. */
    private static double[] bytesPerReading(VigilServer server, Path serverKey, Path state, int pack,
            String confirmEvery, int readings) throws Exception {
        Map<String, String> settings = Map.of("pack", Integer.toString(pack), "confirm-every", confirmEvery,
                "interval", "1h"); // one tick: the queued readings go, no new ones come
        long now = System.currentTimeMillis();
        List<Measurement> taken = new ArrayList<>();
        for (int i = 0; i < readings; i++) {
            taken.add(new Measurement("sim-temp", 21 + (i % 17) / 8.0 - 0.01 * (i % 5), "Cel",
                    now - (readings - i) * 300_000L));
        }
        long senml = 0;
        for (int i = 0; i < readings; i += pack) {
            List<QueuedReading> batch = new ArrayList<>();
            for (int j = i; j < Math.min(readings, i + pack); j++) {
                batch.add(new QueuedReading(j + 1, taken.get(j)));
            }
            senml += SenmlPack.encode(batch, now).length;
        }
        UdpRelay.Counts empty;
        UdpRelay.Counts full;
        try (UdpRelay relay = new UdpRelay(server.deviceAddress())) {
            AgentConfig config = config(state, relay.address(), serverKey, settings);
            runOnce(config); // handshake + the tick's own reading
            Thread.sleep(100);
            UdpRelay.Counts before = relay.counts();
            runOnce(config); // again: what a run costs with nothing queued
            Thread.sleep(100);
            empty = relay.counts().minus(before);
            try (ReadingQueue queue = ReadingQueue.open(state.resolve("queue"), ReadingQueue.DEFAULT_MAX_BYTES)) {
                queue.append(taken);
            }
            before = relay.counts();
            runOnce(config);
            Thread.sleep(100);
            full = relay.counts().minus(before);
        }
        JsonNode status = AgentStatus.read(state);
        if (status.path("queueDepth").asInt() != 0) {
            throw new IllegalStateException("the agent did not drain its queue: " + status);
        }
        return new double[] {(full.bytes() - empty.bytes()) / (double) readings, senml / (double) readings,
            (full.datagrams() - empty.datagrams()) / (double) readings};
    }

    private static void runOnce(AgentConfig config) throws Exception {
        try (Agent agent = new Agent(config)) {
            agent.run(1);
        }
    }

    private static void simulatedDays(Ctx ctx, VigilServer server, ManagementClient admin, Path serverKey, int days,
            Section table) throws Exception {
        Path state = device(ctx, server, admin, "agent-days");
        int ticks = days * TICKS_PER_DAY;
        int rebinds = 0;
        long started = System.nanoTime();
        try (UdpRelay relay = new UdpRelay(server.deviceAddress())) {
            AgentConfig config = config(state, relay.address(), serverKey, Map.of());
            try (Agent agent = new Agent(config)) {
                Thread runner = new Thread(() -> {
                    try {
                        agent.run(ticks);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "agent-days");
                runner.start();
                while (runner.isAlive()) {
                    runner.join(24L * TICK_MILLIS); // a simulated 2 hours
                    if (runner.isAlive()) {
                        relay.rebind();
                        rebinds++;
                    }
                }
            }
        }
        // a tick takes a little longer than its interval (sources, fsync, the exchange): days are counted by the
        // clock the session lifetime runs on, not by readings
        double simulated = (System.nanoTime() - started) / 1e6 / ((double) TICKS_PER_DAY * TICK_MILLIS);
        JsonNode status = AgentStatus.read(state);
        long full = status.path("today").path("fullHandshakes").asLong();
        long resumed = status.path("today").path("resumedHandshakes").asLong();
        long taken = status.path("nextSeq").asLong() - 1;
        long stored = server.registry().telemetry().tail("agent-days", 100_000).size();
        table.row("simulated days, by the clock (readings taken / stored)",
                String.format("%.2f (%d / %d)", simulated, taken, stored));
        table.row("NAT rebindings (source port changes)", rebinds);
        table.row("full handshakes", full);
        table.row("full handshakes after first contact, per simulated day", String.format("%.2f",
                (full - 1) / simulated));
        table.row("resumed handshakes", resumed);
        table.row("readings still queued at the end", status.path("queueDepth").asInt());
    }

    private static void heap(Ctx ctx, VigilServer server, ManagementClient admin, Path serverKey, Section table)
            throws Exception {
        Path state = device(ctx, server, admin, "agent-heap");
        InetSocketAddress at = server.deviceAddress();
        try (Fork child = new Fork(ctx, "agent-heap", null, List.of("-Xmx32m", "-XX:+UseSerialGC"), "agent-heap",
                state.toString(), "coaps://127.0.0.1:" + at.getPort(), serverKey.toString(), TICK_MILLIS + "ms")) {
            JsonNode hour = child.call("heap " + 12);
            JsonNode dayLater = child.call("heap " + TICKS_PER_DAY);
            double base = hour.get("heapUsed").asDouble();
            table.row("a simulated hour (12 readings)", Fmt.num(base / 1024), Fmt.ratio(1));
            table.row("a simulated day (" + TICKS_PER_DAY + " readings)", Fmt.num(dayLater.get("heapUsed").asDouble() / 1024),
                    Fmt.ratio(dayLater.get("heapUsed").asDouble() / base));
            ObjectNode last = (ObjectNode) dayLater;
            table.row("heap committed after the day, KiB", Fmt.num(last.get("heapCommitted").asDouble() / 1024),
                    "");
        }
    }
}
