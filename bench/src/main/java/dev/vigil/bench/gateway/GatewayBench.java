package dev.vigil.bench.gateway;

import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Section;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.device.Traffic;
import dev.vigil.policy.TrustTier;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.provisioning.gateways.ChildMode;
import dev.vigil.server.VigilServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;

/**
 * {@code scripts/bench gateway}: what carrying children through a gateway costs and saves, each figure against a
 * baseline measured in the same run — the time and CPU per reading a gateway posts for a proxied child
 * ({@code POST /gw/{child}/t}) against a direct device's own {@code POST /t}; the bytes per reading on the
 * gateway–server leg for a proxied child against a relay child (its own DTLS session); and the full handshakes
 * the server does for 100 proxied children against 100 relay children. No timing is asserted anywhere: these are
 * figures for the README.
 */
public final class GatewayBench {

    private static final int CHILDREN = 100;

    private GatewayBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("gateway", "Gateways: a proxied child against a direct device and a relay child",
                "figure", "baseline", "gateway path", "ratio");
        int requests = ctx.pick(2000, 300);
        int rounds = ctx.pick(5, 2);
        DataDir dir = Fixtures.dataDir(ctx, "gateway");
        try (VigilServer server = VigilServer.start(dir, Fixtures.serverConfig(30), Clock.systemUTC());
                ManagementClient admin = Fixtures.admin(dir, server)) {
            Fixtures.applyBenchPolicy(admin);
            Registry registry = server.registry();
            Actor bench = Actor.system("bench");
            List<KeyPair> keys = Keys.p256(2 + 2 * CHILDREN);
            KeyPair gatewayKey = keys.get(0);
            KeyPair directKey = keys.get(1);
            registry.devices().add("gw", gatewayKey.getPublic(), Fixtures.BENCH_PROFILE, bench);
            registry.devices().add("direct", directKey.getPublic(), Fixtures.BENCH_PROFILE, bench);
            List<String> proxied = new ArrayList<>();
            List<KeyPair> relayKeys = new ArrayList<>();
            for (int i = 0; i < CHILDREN; i++) {
                String name = String.format("px-%03d", i);
                registry.gateways().addChild(name, keys.get(2 + i).getPublic(), Fixtures.BENCH_PROFILE, "gw",
                        ChildMode.PROXY, bench);
                proxied.add(name);
                KeyPair relayKey = keys.get(2 + CHILDREN + i);
                registry.gateways().addChild(String.format("rl-%03d", i), relayKey.getPublic(),
                        Fixtures.BENCH_PROFILE, "gw", ChildMode.RELAY, bench);
                relayKeys.add(relayKey);
            }
            // the load is far beyond any learned baseline: hold every device at TRUSTED so the trust engine's
            // verdicts do not change what is measured (its per-request cost is still paid on both paths)
            for (String name : registry.devices().list().stream().map(d -> d.name()).toList()) {
                registry.trust().pin(name, TrustTier.TRUSTED, bench);
            }
            PublicKey serverKey = Fixtures.serverKey(dir).getPublic();
            URI uri = URI.create("coaps://127.0.0.1:" + server.deviceAddress().getPort());
            cost(section, uri, serverKey, directKey, gatewayKey, proxied, requests, rounds);
            wire(section, uri, serverKey, gatewayKey, relayKeys.get(0), proxied.get(0));
            handshakes(section, server, uri, serverKey, gatewayKey, relayKeys, proxied);
        }
        section.define("A Vigil node in-process on loopback with the bench profile (no rate limit) for every device,"
                + " each pinned TRUSTED; the reference DeviceClient (DTLS 1.2, raw public keys, CCM_8) as the direct"
                + " device, the gateway and the relay children; one SenML CBOR reading per CON POST, sequential."
                + " Cost: " + requests + " readings by the direct device to /t against " + requests + " by the gateway"
                + " for its " + CHILDREN + " proxied children in turn (/gw/{child}/t: the fence reads the child's"
                + " binding from the database, judges the child's policy and trust, counts the gateway's aggregate),"
                + " alternated over " + rounds + " rounds after a warm-up; CPU is the whole JVM's (client and server),"
                + " alike on both paths. Bytes: UDP payload counted at each client's socket; a relay child's datagrams"
                + " cross the gateway unchanged, so its bytes on the gateway-server leg are its own. Handshakes: the"
                + " server's count of full handshakes while each of " + CHILDREN + " children sends one reading.");
        return section;
    }

    private static DeviceClient.Outcome reading(DeviceClient client, String path, double value) {
        Request request = Request.newPost();
        request.getOptions().setContentFormat(SenmlCbor.CONTENT_FORMAT);
        request.setPayload(SenmlCbor.encode(Map.of("temp", value)));
        DeviceClient.Outcome outcome = client.send(path, request);
        if (outcome.code() != ResponseCode.CHANGED) {
            throw new IllegalStateException(path + ": " + outcome);
        }
        return outcome;
    }

    /** {wall µs, CPU µs} per reading for {@code count} readings. */
    private static double[] perReading(int count, java.util.function.IntConsumer send) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            send.accept(i);
        }
        return new double[] {(System.nanoTime() - t0) / 1e3 / count, (os.getProcessCpuTime() - cpu) / 1e3 / count};
    }

    private static void cost(Section section, URI uri, PublicKey serverKey, KeyPair directKey, KeyPair gatewayKey,
            List<String> children, int requests, int rounds) {
        try (DeviceClient direct = new DeviceClient(uri, directKey, serverKey).timeout(10_000);
                DeviceClient gateway = new DeviceClient(uri, gatewayKey, serverKey).timeout(10_000)) {
            perReading(requests / 2, i -> reading(direct, "/t", i)); // warm-up, handshakes included
            perReading(requests / 2, i -> reading(gateway, "/gw/" + children.get(i % children.size()) + "/t", i));
            List<Double> directWall = new ArrayList<>();
            List<Double> directCpu = new ArrayList<>();
            List<Double> proxyWall = new ArrayList<>();
            List<Double> proxyCpu = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                double[] d = perReading(requests, i -> reading(direct, "/t", i));
                double[] p = perReading(requests, i -> reading(gateway, "/gw/" + children.get(i % children.size())
                        + "/t", i));
                directWall.add(d[0]);
                directCpu.add(d[1]);
                proxyWall.add(p[0]);
                proxyCpu.add(p[1]);
                Ctx.log("gateway: round %d: direct %.0f µs (CPU %.0f), proxied %.0f µs (CPU %.0f) per reading",
                        round + 1, d[0], d[1], p[0], p[1]);
            }
            double dw = Fmt.median(directWall);
            double pw = Fmt.median(proxyWall);
            double dc = Fmt.median(directCpu);
            double pc = Fmt.median(proxyCpu);
            section.row("time per reading, µs (median of " + rounds + " rounds)", "direct /t: " + Fmt.num(dw),
                    "proxied /gw/{child}/t: " + Fmt.num(pw), Fmt.ratio(pw / dw));
            section.row("CPU per reading, µs (whole JVM)", "direct: " + Fmt.num(dc), "proxied: " + Fmt.num(pc),
                    Fmt.ratio(pc / dc));
        }
    }

    private static void wire(Section section, URI uri, PublicKey serverKey, KeyPair gatewayKey, KeyPair relayKey,
            String proxiedChild) {
        int readings = 100;
        try (DeviceClient gateway = new DeviceClient(uri, gatewayKey, serverKey).timeout(10_000);
                DeviceClient relay = new DeviceClient(uri, relayKey, serverKey).timeout(10_000)) {
            reading(gateway, "/gw/" + proxiedChild + "/t", 0); // sessions first: handshakes counted apart
            long relayHandshake = bytes(relay.traffic());
            reading(relay, "/t", 0);
            relayHandshake = bytes(relay.traffic()) - relayHandshake;
            long g0 = bytes(gateway.traffic());
            long r0 = bytes(relay.traffic());
            for (int i = 0; i < readings; i++) {
                reading(gateway, "/gw/" + proxiedChild + "/t", i);
                reading(relay, "/t", i);
            }
            double proxy = (bytes(gateway.traffic()) - g0) / (double) readings;
            double own = (bytes(relay.traffic()) - r0) / (double) readings;
            section.row("bytes per reading on the gateway-server leg (request + response)", "relay child: "
                    + Fmt.num(own), "proxied child: " + Fmt.num(proxy) + " (" + (proxy > own ? Fmt.num(proxy - own)
                    + " more: /gw/{child} in the URI path" : Fmt.num(own - proxy) + " saved") + ")",
                    Fmt.ratio(proxy / own));
            section.row("bytes of a relay child's first reading, its full handshake included", "relay child: "
                    + relayHandshake, "proxied child: 0 (the gateway's one session)", "-");
        }
    }

    private static long bytes(Traffic traffic) {
        return traffic.bytesSent() + traffic.bytesReceived();
    }

    private static void handshakes(Section section, VigilServer server, URI uri, PublicKey serverKey,
            KeyPair gatewayKey, List<KeyPair> relayKeys, List<String> proxied) {
        long before = server.fullDeviceHandshakes();
        try (DeviceClient gateway = new DeviceClient(uri, gatewayKey, serverKey).timeout(10_000)) {
            for (String child : proxied) {
                reading(gateway, "/gw/" + child + "/t", 1);
            }
        }
        long proxiedHandshakes = server.fullDeviceHandshakes() - before;
        before = server.fullDeviceHandshakes();
        for (KeyPair key : relayKeys) {
            try (DeviceClient child = new DeviceClient(uri, key, serverKey).timeout(10_000)) {
                reading(child, "/t", 1);
            }
        }
        long relayHandshakes = server.fullDeviceHandshakes() - before;
        section.row("full handshakes at the server for " + proxied.size() + " children, one reading each",
                "relay: " + relayHandshakes, "proxied: " + proxiedHandshakes,
                Fmt.ratio(proxiedHandshakes / (double) relayHandshakes));
    }
}
