package dev.vigil.bench.storm;

import dev.vigil.bench.sessions.SessionsLoad;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;

/**
 * N devices that all need to get a reading through at once (powered on together, or their node just went away),
 * each as the reference agent behaves after silence: wait a full-jitter backoff (uniform in [0, 1 s · 2^n), at most
 * {@link #BACKOFF_MAX_MS}), then a new full handshake from its own address and port and one CON POST /t; no 2.04
 * within {@link #TIMEOUT_MS} → the next backoff. Attempts run asynchronously (a connector per attempt in flight,
 * dropped without a close_notify afterwards), so the arrival rate is the devices', not a worker pool's.
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

    /** Device i holds {@code keys.get(i)} and sends from {@link #address(int) address(firstAddress + i)}. */
    public Reconnects(List<KeyPair> keys, int firstAddress, Configuration config, NewAdvancedCertificateVerifier trust,
            byte[] reading) {
        this.keys = keys;
        this.firstAddress = firstAddress;
        this.config = config;
        this.trust = trust;
        this.reading = reading;
    }

    /**
     * Device {@code index}'s address: 127.1.x.y, and a port whose parity makes
     * {@code floorMod(address.hashCode(), 2)} zero (the test balancer's hash then picks its first node; checked by
     * the caller).
     */
    public static InetSocketAddress address(int index) {
        int y = index % 250 + 1;
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 1, (byte) (index / 250), (byte) y}),
                    20_000 + (y & 1));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs every device until its reading is acknowledged or {@code giveUpMillis} passed; returns the outcome. */
    public Outcome run(InetSocketAddress server, long giveUpMillis) throws InterruptedException {
        int n = keys.size();
        double[] back = new double[n];
        int[] attempts = new int[n];
        java.util.Arrays.fill(back, Double.NaN);
        AtomicLong failed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(n);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, daemon("storm-timer"));
        ScheduledExecutorService shared = Executors.newScheduledThreadPool(2, daemon("storm-dtls"));
        ExecutorService closer = Executors.newSingleThreadExecutor(daemon("storm-close"));
        long start = System.nanoTime();
        long giveUp = start + TimeUnit.MILLISECONDS.toNanos(giveUpMillis);
        try {
            for (int i = 0; i < n; i++) {
                Device device = new Device(i, server, start, giveUp, back, attempts, failed, done, timer, shared,
                        closer);
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
            closer.shutdown();
            closer.awaitTermination(30, TimeUnit.SECONDS);
            shared.shutdownNow();
        }
    }

    /** One device's attempts; the backoff's ceiling doubles after each failed one. */
    private final class Device {
        final int index;
        final InetSocketAddress server;
        final long start;
        final long giveUp;
        final double[] back;
        final int[] attempts;
        final AtomicLong failed;
        final CountDownLatch done;
        final ScheduledExecutorService timer;
        final ScheduledExecutorService shared;
        final ExecutorService closer;
        final SplittableRandom random;
        int tries;

        Device(int index, InetSocketAddress server, long start, long giveUp, double[] back, int[] attempts,
                AtomicLong failed, CountDownLatch done, ScheduledExecutorService timer,
                ScheduledExecutorService shared, ExecutorService closer) {
            this.index = index;
            this.server = server;
            this.start = start;
            this.giveUp = giveUp;
            this.back = back;
            this.attempts = attempts;
            this.failed = failed;
            this.done = done;
            this.timer = timer;
            this.shared = shared;
            this.closer = closer;
            this.random = new SplittableRandom(index * 7919L + 17);
        }

        void schedule() {
            long ceiling = tries >= 30 ? BACKOFF_MAX_MS : Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS << tries);
            long wait = random.nextLong(Math.max(1, ceiling));
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait) > giveUp) {
                done.countDown();
                return;
            }
            timer.schedule(this::attempt, wait, TimeUnit.MILLISECONDS);
        }

        void attempt() {
            tries++;
            attempts[index] = tries;
            DTLSConnector connector;
            CompletableFuture<byte[]> response = new CompletableFuture<>();
            try {
                KeyPair key = keys.get(index);
                connector = new DTLSConnector(DtlsConnectorConfig.builder(config)
                        .setAddress(address(firstAddress + index))
                        .setCertificateIdentityProvider(new SingleCertificateProvider(key.getPrivate(),
                                key.getPublic()).setVerifyKeyPair(false))
                        .setAdvancedCertificateVerifier(trust)
                        .build());
                connector.setExecutor(shared);
                connector.setRawDataReceiver(raw -> {
                    byte[] bytes = raw.getBytes();
                    if (bytes.length >= 2 && bytes[1] != 0) { // skip an empty ACK
                        response.complete(bytes);
                    }
                });
                connector.start();
            } catch (Exception e) {
                failed.incrementAndGet();
                schedule();
                return;
            }
            timer.schedule(() -> response.completeExceptionally(new IllegalStateException("timeout")), TIMEOUT_MS,
                    TimeUnit.MILLISECONDS);
            connector.send(RawData.outbound(SessionsLoad.post(index, reading), new AddressEndpointContext(server),
                    null, false));
            response.whenComplete((answer, error) -> {
                long at = System.nanoTime();
                closer.execute(() -> {
                    connector.destroy(); // no close_notify, as a device that goes back to sleep
                    if (error == null && answer[1] == 0x44) {
                        back[index] = (at - start) / 1e6;
                        done.countDown();
                    } else {
                        failed.incrementAndGet();
                        schedule();
                    }
                });
            });
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
