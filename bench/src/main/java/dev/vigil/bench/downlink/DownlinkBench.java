package dev.vigil.bench.downlink;

import dev.vigil.bench.BenchDevice;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Section;
import dev.vigil.bench.UdpRelay;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.firmware.CoseSign1;
import dev.vigil.provisioning.firmware.FirmwareManifest;
import dev.vigil.server.VigilServer;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;

/**
 * {@code scripts/bench downlink}: what the downlink costs — a 64 KiB firmware image fetched block-wise at
 * 256, 512 and 1024 bytes a block (bytes and datagrams on the wire, counted by a UDP relay; time on
 * loopback), and commands delivered per second to devices observing {@code /cmd}.
 */
public final class DownlinkBench {

    private static final int IMAGE = 64 * 1024;

    private DownlinkBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("downlink", "Downlink: a 64 KiB firmware image block-wise, and commands by Observe",
                "exchange", "device → server bytes (datagrams)", "server → device bytes (datagrams)",
                "total UDP payload bytes", "overhead over the image", "time on loopback ms (median of 3)");
        DataDir dir = Fixtures.dataDir(ctx, "downlink");
        int observers = ctx.pick(1000, 200);
        int rounds = ctx.pick(5, 2);
        ScheduledExecutorService shared = Executors.newScheduledThreadPool(2);
        try (VigilServer server = VigilServer.start(dir, Fixtures.serverConfig(30), Clock.systemUTC());
                UdpRelay relay = new UdpRelay(server.deviceAddress())) {
            Registry registry = server.registry();
            List<KeyPair> keys = Keys.p256(observers);
            Fixtures.addDevices(registry.devices(), keys, "dl", "actuator");
            // the downloads use a device of their own: nine whole images in a minute is, to the trust engine,
            // far more firmware traffic than a device should make (it goes LIMITED, and its commands are held)
            KeyPair downloader = Keys.p256(1).get(0);
            Fixtures.addDevices(registry.devices(), List.of(downloader), "fw", "actuator");
            byte[] image = new byte[IMAGE];
            new Random(1).nextBytes(image);
            KeyPair signer = PemFiles.generateP256();
            registry.firmware().addKey("bench", signer.getPublic(), Actor.system("bench"));
            registry.firmware().publish(CoseSign1.sign(FirmwareManifest.of(image, 1, "bench", "actuator", "1.0.0")
                    .encode(), signer.getPrivate()), image, false, Actor.system("bench"));
            registry.rollouts().start("1.0.0", "actuator", List.of(100), 0.5, false, false, Actor.system("bench"));
            for (int block : new int[] {256, 512, 1024}) {
                Configuration config = BenchDevice.config(30);
                config.set(CoapConfig.PREFERRED_BLOCK_SIZE, block);
                config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 1024 * 1024);
                try (BenchDevice device = new BenchDevice(downloader, Fixtures.serverKey(dir).getPublic(),
                        relay.address(), config, shared)) {
                    CoapClient client = new CoapClient("coaps://" + relay.address().getHostString() + ":"
                            + relay.address().getPort() + "/fw/image");
                    client.setEndpoint(device.endpoint);
                    client.setTimeout(30_000L);
                    get(client.getURI().replace("/fw/image", "/fw"), device); // the handshake, outside the count
                    List<Double> millis = new ArrayList<>();
                    UdpRelay.Counts counted = null;
                    for (int i = 0; i < 3; i++) {
                        UdpRelay.Counts start = relay.counts();
                        long t0 = System.nanoTime();
                        CoapResponse response = client.get();
                        millis.add((System.nanoTime() - t0) / 1e6);
                        Thread.sleep(50);
                        if (response == null || !Arrays.equals(response.getPayload(), image)) {
                            throw new IllegalStateException("the image did not arrive whole at block size " + block);
                        }
                        counted = relay.counts().minus(start);
                    }
                    long total = counted.upBytes() + counted.downBytes();
                    section.row("GET /fw/image, " + block + "-byte blocks", counted.upBytes() + " ("
                            + counted.upDatagrams() + ")", counted.downBytes() + " (" + counted.downDatagrams() + ")",
                            total, String.format("%.1f %%", 100.0 * (total - IMAGE) / IMAGE), Fmt.median(millis));
                    client.shutdown();
                }
            }
            commands(section, registry, keys, dir, server, shared, rounds);
        } finally {
            shared.shutdownNow();
        }
        section.define("A Vigil node in-process on loopback; each device configured as DeviceClient is (BenchDevice),"
                + " through a UDP relay that counts datagrams and their UDP payload (the DTLS records) each way. The"
                + " image: 64 KiB of random bytes, published with an ES256-signed manifest and offered by a 100 % wave;"
                + " the device fetches it transparently at the preferred block size (RFC 7959 Block2, CON"
                + " request/ACK per block), its session already established. Commands: "
                + observers + " actuators each observe /cmd (CON notifications); then one command per device is queued"
                + " (CommandQueue.send, a transaction and audit record each) and the time until every notification with"
                + " it has arrived is measured.");
        return section;
    }

    private static void get(String uri, BenchDevice device) {
        CoapClient client = new CoapClient(uri);
        client.setEndpoint(device.endpoint);
        client.setTimeout(30_000L);
        try {
            if (client.get() == null) {
                throw new IllegalStateException("no answer from " + uri);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            client.shutdown();
        }
    }

    private static void commands(Section section, Registry registry, List<KeyPair> keys, DataDir dir,
            VigilServer server, ScheduledExecutorService shared, int rounds) throws Exception {
        List<BenchDevice> devices = new ArrayList<>();
        List<CoapObserveRelation> relations = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        double[] lastAll = new double[1];
        try {
            CountDownLatch[] pending = new CountDownLatch[1];
            CountDownLatch established = new CountDownLatch(keys.size());
            for (KeyPair key : keys) {
                BenchDevice device = new BenchDevice(key, Fixtures.serverKey(dir).getPublic(), server.deviceAddress(),
                        BenchDevice.config(30), shared);
                devices.add(device);
                CoapClient client = new CoapClient("coaps://127.0.0.1:" + server.deviceAddress().getPort() + "/cmd");
                client.setEndpoint(device.endpoint);
                relations.add(client.observe(new CoapHandler() {
                    private boolean first = true;

                    @Override
                    public void onLoad(CoapResponse response) {
                        if (first) {
                            first = false;
                            established.countDown();
                        } else if (response.getPayload().length > 1 && pending[0] != null) {
                            pending[0].countDown();
                        }
                    }

                    @Override
                    public void onError() {
                    }
                }));
            }
            if (!established.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("observations not established: " + established.getCount() + " left");
            }
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                ids.add(registry.devices().idOf(String.format("dl-%06d", i)).orElseThrow());
            }
            for (int round = 0; round < rounds; round++) {
                pending[0] = new CountDownLatch(keys.size());
                List<Long> sent = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int i = 0; i < ids.size(); i++) {
                    sent.add(registry.commands().send(ids.get(i), String.format("dl-%06d", i), "ping", "{}",
                            Duration.ofHours(1), Actor.system("bench")).id());
                }
                long queued = System.nanoTime();
                while (pending[0].getCount() > keys.size() / 100 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(120)) {
                    Thread.sleep(5);
                }
                double ninetyNine = (System.nanoTime() - t0) / 1e9;
                if (!pending[0].await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(pending[0].getCount() + " notifications missing");
                }
                double all = (System.nanoTime() - t0) / 1e9;
                Ctx.log("downlink: %d commands queued in %.0f ms; 99 %% delivered after %.2f s, all after %.1f s",
                        ids.size(), (queued - t0) / 1e6, ninetyNine, all);
                rates.add(keys.size() * 0.99 / ninetyNine);
                lastAll[0] = all;
                for (int i = 0; i < ids.size(); i++) { // the devices' results, so the next round starts empty
                    registry.commands().complete(ids.get(i), String.format("dl-%06d", i), sent.get(i), true, null);
                }
            }
            section.row("commands: one each to " + keys.size() + " observing devices", "-", "-", "-", "-",
                    String.format("%,.0f commands/s to the first 99 %% (median of %d rounds: %s); the last arrived after"
                            + " %.1f s", Fmt.median(rates), rates.size(), Fmt.list(rates), lastAll[0]));
        } finally {
            relations.forEach(CoapObserveRelation::proactiveCancel);
            devices.forEach(BenchDevice::close);
        }
    }
}
