package dev.vigil.bench.storm;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import org.eclipse.californium.elements.DtlsEndpointContext;
import org.eclipse.californium.elements.MapBasedEndpointContext;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;

/**
 * N devices that all need to get a reading through at once (powered on together, or their node just went away),
 * each as the reference agent behaves after silence: wait a full-jitter backoff (uniform in [0, 1 s · 2^n), at most
 * {@link #BACKOFF_MAX_MS}), then a full handshake and one CON POST /t; no 2.04 within {@link #TIMEOUT_MS} → the next
 * backoff, then the request again over the same session; after two silences in a row, a new handshake with each
 * attempt (see {@link Device#attempt()}).
 * <p>
 * The devices share a few client connectors (one socket and one receiver thread each), so that ten thousand of them
 * fit on two cores beside the nodes: a device is a lane — one connector's connection to one of the balancer's public
 * ports, which the balancer sees as a flow of its own — and presents its own key, chosen by the server name it
 * indicates ({@link LaneKeys}). The server does not use server names; it sees one flow per device, as before.
 */
public final class Reconnects {

    static final long BACKOFF_BASE_MS = 1_000;
    static final long BACKOFF_MAX_MS = 300_000; // the agent's default backoff-max (5 min)
    static final long TIMEOUT_MS = 30_000;

    /** Per device: milliseconds from the start until its reading was acknowledged (NaN: never), and attempts. */
    public record Outcome(double[] backMillis, int[] attempts, double totalMillis, long failedAttempts) {
    }

    private final List<KeyPair> keys;
    private final Configuration config;
    private final NewAdvancedCertificateVerifier trust;
    private final byte[] reading;
    private final int firstAddress;
    /** Client connectors the last run used. */
    private volatile int connectors;

    /**
     * Device i holds {@code keys.get(i)}; the connectors send from {@link #address(int) address(firstAddress + c)},
     * c = 0, 1, …
     */
    public Reconnects(List<KeyPair> keys, int firstAddress, Configuration config, NewAdvancedCertificateVerifier trust,
            byte[] reading) {
        this.keys = keys;
        this.firstAddress = firstAddress;
        this.config = new Configuration(config);
        this.config.set(DtlsConfig.DTLS_USE_SERVER_NAME_INDICATION, true);
        this.config.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 4096);
        this.trust = trust;
        this.reading = reading;
    }

    /** How many client connectors the last run shared among its devices. */
    public int connectors() {
        return connectors;
    }

    /** Connector {@code index}'s address: 127.1.x.y, port 20000. */
    public static InetSocketAddress address(int index) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 1, (byte) (index / 250),
                    (byte) (index % 250 + 1)}), 20_000);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Device {@code index}'s server name, by which its lane's connector presents its key. */
    static String serverName(int index) {
        return "device-" + index + ".storm";
    }

    /**
     * Runs every device until its reading is acknowledged or {@code giveUpMillis} passed; returns the outcome.
     * Devices take the lanes (connector c, public port f) for which {@code lands.test(address(firstAddress + c), f)}
     * holds, in order of c then f — the same lanes in every run.
     */
    public Outcome run(List<InetSocketAddress> publicPorts, BiPredicate<InetSocketAddress, Integer> lands,
            long giveUpMillis) throws Exception {
        int n = keys.size();
        double[] back = new double[n];
        int[] attempts = new int[n];
        java.util.Arrays.fill(back, Double.NaN);
        AtomicLong failed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(n);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, daemon("storm-timer"));
        ScheduledExecutorService shared = Executors.newScheduledThreadPool(2, daemon("storm-dtls"));
        List<DTLSConnector> connectors = new ArrayList<>();
        long start = System.nanoTime();
        long giveUp = start + TimeUnit.MILLISECONDS.toNanos(giveUpMillis);
        try {
            List<Device> devices = new ArrayList<>();
            for (int c = 0; devices.size() < n; c++) {
                InetSocketAddress local = address(firstAddress + c);
                Map<InetSocketAddress, Device> lanes = new ConcurrentHashMap<>();
                LaneKeys laneKeys = new LaneKeys();
                DTLSConnector connector = new DTLSConnector(DtlsConnectorConfig.builder(config).setAddress(local)
                        .setCertificateIdentityProvider(laneKeys).setAdvancedCertificateVerifier(trust).build());
                connector.setExecutor(shared);
                connector.setRawDataReceiver(raw -> {
                    Device device = lanes.get(raw.getInetSocketAddress());
                    if (device != null) {
                        device.answer(raw.getBytes());
                    }
                });
                for (int f = 0; f < publicPorts.size() && devices.size() < n; f++) {
                    if (lands.test(local, f)) {
                        int index = devices.size();
                        Device device = new Device(index, connector, publicPorts.get(f), start, giveUp, back, attempts,
                                failed, done, timer);
                        laneKeys.add(serverName(index), keys.get(index));
                        lanes.put(publicPorts.get(f), device);
                        devices.add(device);
                    }
                }
                connector.start();
                connectors.add(connector);
            }
            this.connectors = connectors.size();
            dev.vigil.bench.Ctx.log("storm: %,d devices on %,d shared client connectors × %,d balancer ports", n,
                    connectors.size(), publicPorts.size());
            start = System.nanoTime();
            for (Device device : devices) {
                device.start = start;
                device.schedule();
            }
            long waitUntil = giveUp + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS + 5_000);
            while (!done.await(30, TimeUnit.SECONDS) && System.nanoTime() < waitUntil) {
                dev.vigil.bench.Ctx.log("storm: %.0f s: %,d of %,d devices back, %,d attempts failed",
                        (System.nanoTime() - start) / 1e9, n - done.getCount(), n, failed.get());
            }
            return new Outcome(back, attempts, (System.nanoTime() - start) / 1e6, failed.get());
        } finally {
            timer.shutdownNow();
            connectors.forEach(DTLSConnector::destroy); // no close_notify, as devices that go back to sleep
            shared.shutdownNow();
        }
    }

    /** One device's attempts; the backoff's ceiling doubles after each failed one. */
    private final class Device {
        final int index;
        final DTLSConnector connector;
        final InetSocketAddress server;
        volatile long start;
        final long giveUp;
        final double[] back;
        final int[] attempts;
        final AtomicLong failed;
        final CountDownLatch done;
        final ScheduledExecutorService timer;
        final SplittableRandom random;
        /** Attempts so far; the current one's token ends in its low byte. Guarded by this. */
        int tries;
        /** The current attempt's timeout, or null between attempts. Guarded by this. */
        ScheduledFuture<?> pending;

        Device(int index, DTLSConnector connector, InetSocketAddress server, long start, long giveUp, double[] back,
                int[] attempts, AtomicLong failed, CountDownLatch done, ScheduledExecutorService timer) {
            this.index = index;
            this.connector = connector;
            this.server = server;
            this.start = start;
            this.giveUp = giveUp;
            this.back = back;
            this.attempts = attempts;
            this.failed = failed;
            this.done = done;
            this.timer = timer;
            this.random = new SplittableRandom(index * 7919L + 17);
        }

        synchronized void schedule() {
            long ceiling = tries >= 30 ? BACKOFF_MAX_MS : Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS << tries);
            long wait = random.nextLong(Math.max(1, ceiling));
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait) > giveUp) {
                done.countDown();
                return;
            }
            timer.schedule(this::attempt, wait, TimeUnit.MILLISECONDS);
        }

        /**
         * The first attempt starts with a full handshake (the device noticed its node was gone); the next one, after
         * a silence, is the same request over the session it has (or the handshake still running); after two
         * silences in a row each attempt starts with a handshake again — a resumption where the session allows one —
         * as the agent's {@code renewSession} does.
         */
        synchronized void attempt() {
            tries++;
            attempts[index] = tries;
            pending = timer.schedule(this::timedOut, TIMEOUT_MS, TimeUnit.MILLISECONDS);
            MapBasedEndpointContext.Attributes mode = new MapBasedEndpointContext.Attributes();
            if (tries == 1) {
                mode.add(DtlsEndpointContext.KEY_HANDSHAKE_MODE, DtlsEndpointContext.HANDSHAKE_MODE_FORCE_FULL);
            } else if (tries > 2) {
                mode.add(DtlsEndpointContext.KEY_HANDSHAKE_MODE, DtlsEndpointContext.HANDSHAKE_MODE_FORCE);
            }
            connector.send(RawData.outbound(post(index, tries, reading),
                    new MapBasedEndpointContext(server, serverName(index), null, mode), null, false));
        }

        synchronized void timedOut() {
            pending = null;
            failed.incrementAndGet();
            schedule();
        }

        /** A message from the server on this device's lane: the current attempt's 2.04 ends it. */
        synchronized void answer(byte[] bytes) {
            if (pending == null || bytes.length < 8 || (bytes[0] & 0x0F) != 4 || bytes[1] == 0) {
                return; // between attempts, an empty ACK, or not one of ours
            }
            if (bytes[4] != (byte) (index >> 16) || bytes[5] != (byte) (index >> 8) || bytes[6] != (byte) index
                    || bytes[7] != (byte) tries) {
                return; // the answer to an attempt already given up
            }
            pending.cancel(false);
            pending = null;
            if (bytes[1] == 0x44) {
                back[index] = (System.nanoTime() - start) / 1e6;
                done.countDown();
            } else {
                failed.incrementAndGet();
                schedule();
            }
        }
    }

    /** CON POST /t with the reading; token: the device index (3 bytes) and the attempt (low byte). */
    static byte[] post(int index, int attempt, byte[] payload) {
        return dev.vigil.bench.CoapPost.reading((index * 31 + attempt) & 0xFFFF, (index << 8) | (attempt & 0xFF),
                payload);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
