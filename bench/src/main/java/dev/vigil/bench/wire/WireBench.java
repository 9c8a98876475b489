package dev.vigil.bench.wire;

import dev.vigil.bench.BenchDevice;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Section;
import dev.vigil.bench.UdpRelay;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.server.VigilServer;
import java.security.KeyPair;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Bytes on the wire, counted by a UDP relay between a device (configured as DeviceClient) and Vigil. */
public final class WireBench {

    private WireBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("wire", "Bytes on the wire per handshake and per reading", "exchange",
                "device → server bytes (datagrams)", "server → device bytes (datagrams)", "total UDP payload bytes",
                "total incl. IPv4+UDP headers", "CoAP payload bytes");
        DataDir dir = Fixtures.dataDir(ctx, "wire");
        int repeats = 5;
        try (VigilServer server = VigilServer.start(dir, Fixtures.serverConfig(30), Clock.systemUTC());
                ManagementClient admin = Fixtures.admin(dir, server);
                UdpRelay relay = new UdpRelay(server.deviceAddress())) {
            Fixtures.applyBenchPolicy(admin);
            List<KeyPair> keys = Keys.p256(1);
            Fixtures.addDevices(server.registry().devices(), keys, "wire", Fixtures.BENCH_PROFILE);
            byte[] one = SenmlCbor.encode(Map.of("temp", 21.5));
            Map<String, Double> pack = new LinkedHashMap<>();
            for (int i = 0; i < 10; i++) {
                pack.put("temp" + i, 20.0 + i / 4.0);
            }
            byte[] ten = SenmlCbor.encode(pack);
            try (BenchDevice device = new BenchDevice(keys.get(0), Fixtures.serverKey(dir).getPublic(), relay.address(),
                    BenchDevice.config(30), null)) {
                double[] first = measure(relay, device, one, 1);
                double[] reading = measure(relay, device, one, repeats);
                double[] batch = measure(relay, device, ten, repeats);
                double[] resumed = new double[4];
                for (int i = 0; i < repeats; i++) {
                    device.connector.forceResumeAllSessions();
                    double[] once = measure(relay, device, one, 1);
                    for (int j = 0; j < 4; j++) {
                        resumed[j] += once[j] / repeats;
                    }
                }
                row(section, "full handshake (first contact minus one reading)", minus(first, reading), null);
                row(section, "resumed handshake (abbreviated; minus one reading)", minus(resumed, reading), null);
                row(section, "first contact: full handshake + one reading", first, one.length);
                row(section, "resumption + one reading", resumed, one.length);
                row(section, "one reading: CON POST /t SenML CBOR + piggybacked 2.04 ACK", reading, one.length);
                row(section, "batch: 10 readings in one SenML pack + 2.04 ACK", batch, ten.length);
                section.note("Negotiated on the wire (first full handshake): " + dev.vigil.bench.DtlsSniff.read(relay.captured()));
                section.note(String.format("Per reading in a batch of 10: %.0f bytes of UDP payload vs %.0f alone.",
                        (batch[0] + batch[2]) / 10, reading[0] + reading[2]));
            }
        }
        section.define("A UDP relay in the benchmark forwards datagrams between one device and a Vigil node (loopback)"
                + " and counts them and their UDP payload (the DTLS records) each way. The device is configured as"
                + " DeviceClient is: cipher suites CCM_8 then GCM,"
                + " raw public keys, the server grants it a 4-byte Connection ID (records to the server carry it);"
                + " HelloVerifyRequest on. Single readings and batches are averaged over 5 requests; the resumed"
                + " handshake is forced with DTLSConnector.forceResumeAllSessions(). 'incl. headers' adds 28 bytes per"
                + " datagram (IPv4 20 + UDP 8).");
        return section;
    }

    private static void require(BenchDevice.Result result) {
        if (!result.success()) {
            throw new IllegalStateException("request failed: " + result);
        }
    }

    /** Average per request: {up bytes, up datagrams, down bytes, down datagrams}. */
    private static double[] measure(UdpRelay relay, BenchDevice device, byte[] payload, int repeats)
            throws InterruptedException {
        double[] sum = new double[4];
        for (int i = 0; i < repeats; i++) {
            UdpRelay.Counts start = relay.counts();
            require(device.postAndWait("/t", payload, SenmlCbor.CONTENT_FORMAT, 10_000));
            Thread.sleep(50); // let the last datagram through the relay before reading the counters
            UdpRelay.Counts c = relay.counts().minus(start);
            sum[0] += c.upBytes() / (double) repeats;
            sum[1] += c.upDatagrams() / (double) repeats;
            sum[2] += c.downBytes() / (double) repeats;
            sum[3] += c.downDatagrams() / (double) repeats;
        }
        return sum;
    }

    private static double[] minus(double[] a, double[] b) {
        return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]};
    }

    private static void row(Section section, String what, double[] c, Integer payload) {
        double datagrams = c[1] + c[3];
        section.row(what, fmt(c[0], c[1]), fmt(c[2], c[3]), c[0] + c[2], c[0] + c[2] + 28 * datagrams, payload);
    }

    private static String fmt(double bytes, double datagrams) {
        return String.format("%.0f (%s)", bytes, datagrams == Math.rint(datagrams) ? Long.toString((long) datagrams)
                : String.format("%.1f", datagrams));
    }
}
