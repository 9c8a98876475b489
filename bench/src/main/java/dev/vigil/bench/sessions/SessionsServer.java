package dev.vigil.bench.sessions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.bench.Child;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Probe;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.SessionControl;
import dev.vigil.server.VigilServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.elements.util.JceProviderUtil;

/**
 * Child JVM: a Vigil node whose heap is measured alone. Registers the load's keys as ACTIVE devices,
 * then answers {@code baseline} and {@code measure} (heap after full GCs, class histogram growth, live
 * DTLS sessions as the server counts them).
 */
public final class SessionsServer {

    private SessionsServer() {
    }

    /** args: keys file, exchange lifetime seconds. */
    public static Child.Handler start(String[] args) throws Exception {
        JceProviderUtil.init();
        List<KeyPair> keys = Keys.read(Path.of(args[0]));
        int exchangeLifetime = Integer.parseInt(args[1]);
        Path work = Files.createTempDirectory("vigil-bench-sessions-");
        DataDir dir = DataDir.init(work.resolve("data"));
        VigilServer server = VigilServer.start(dir, Fixtures.serverConfig(exchangeLifetime), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            Ctx.deleteTree(work);
        }));
        long t0 = System.nanoTime();
        Fixtures.addDevices(server.registry().devices(), keys, "s", "sensor");
        double registration = (System.nanoTime() - t0) / 1e9;
        java.lang.reflect.Field field = VigilServer.class.getDeclaredField("sessions");
        field.setAccessible(true);
        SessionControl sessions = (SessionControl) field.get(server);
        Child.reply(Child.object().put("port", server.deviceAddress().getPort())
                .put("serverKey", Base64.getEncoder().encodeToString(Fixtures.serverKey(dir).getPublic().getEncoded()))
                .put("registrationSeconds", registration).put("devices", keys.size())
                .put("usesBouncyCastle", JceProviderUtil.usesBouncyCastle()));
        @SuppressWarnings("unchecked")
        Map<String, long[]>[] baseline = new Map[1];
        long[] baselineHeap = new long[1];
        return command -> switch (command[0]) {
            case "baseline" -> {
                baselineHeap[0] = Probe.heapAfterGc();
                baseline[0] = Probe.classHistogram();
                yield Child.object().put("heap", baselineHeap[0]).put("liveSessions", sessions.liveDeviceSessions());
            }
            case "measure" -> {
                long heap = Probe.heapAfterGc();
                Map<String, long[]> after = Probe.classHistogram();
                ObjectNode answer = Child.object().put("heap", heap).put("baselineHeap", baselineHeap[0])
                        .put("liveSessions", sessions.liveDeviceSessions());
                answer.set("growth", Probe.histogramGrowth(baseline[0], after, 20));
                long total = 0;
                for (Map.Entry<String, long[]> entry : after.entrySet()) {
                    total += entry.getValue()[0] - baseline[0].getOrDefault(entry.getKey(), new long[2])[0];
                }
                java.security.PublicKey peer = dev.vigil.server.BenchAccess.onePeerKey(
                        dev.vigil.server.BenchAccess.deviceConnector(server));
                answer.put("peerKeyClass", peer == null ? null : peer.getClass().getName());
                answer.put("peerKeyPrecomputation", dev.vigil.server.BenchAccess.bcPrecomputation(peer));
                yield answer.put("histogramGrowth", total);
            }
            case "sessions" -> Child.object().put("liveSessions", sessions.liveDeviceSessions());
            case "soak" -> Child.object().put("heap", Probe.heapAfterGc()).put("liveSessions", sessions.liveDeviceSessions())
                    .put("connections", dev.vigil.server.BenchAccess.deviceConnections(server))
                    .put("stored", (long) server.registry().database().<Long>inTransaction(c -> {
                        try (var q = c.prepareStatement("SELECT COUNT(*) FROM telemetry"); var rows = q.executeQuery()) {
                            rows.next();
                            return rows.getLong(1);
                        }
                    }));
            default -> throw new IllegalArgumentException("unknown command " + command[0]);
        };
    }
}
