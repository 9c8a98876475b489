package dev.vigil.bench.soak;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.bench.Child;
import dev.vigil.bench.Keys;
import dev.vigil.bench.sessions.SessionsLoad;
import dev.vigil.device.SenmlCbor;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.JceProviderUtil;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * Child JVM: N simulated sleepy devices, each waking every {@code interval} (spread evenly), doing a full
 * handshake from its own address and port (127.1.x.y:20000, so its new session replaces its old one at
 * the server), sending one reading and going back to sleep without a close_notify. {@code run SECONDS}
 * runs for that long and answers how many readings were acknowledged (2.04) and how many failed.
 */
public final class SoakLoad {

    static final int DEVICE_PORT = 20_000;

    private SoakLoad() {
    }

    /** args: keys file, server public key (base64), server port, interval seconds, workers. */
    public static Child.Handler start(String[] args) throws Exception {
        JceProviderUtil.init();
        List<KeyPair> keys = Keys.read(Path.of(args[0]));
        PublicKey serverKey = Keys.publicKey(args[1]);
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[2]));
        long intervalNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        int workers = Integer.parseInt(args[4]);
        ScheduledExecutorService shared = Executors.newScheduledThreadPool(2, r -> {
            Thread thread = new Thread(r, "soak-load-executor");
            thread.setDaemon(true);
            return thread;
        });
        Configuration config = SessionsLoad.clientConfig();
        NewAdvancedCertificateVerifier trust = StaticNewAdvancedCertificateVerifier.builder()
                .setTrustedRPKs(new RawPublicKeyIdentity(serverKey)).build();
        byte[] reading = SenmlCbor.encode(Map.of("temp", 21.5));
        Child.reply(Child.object().put("devices", keys.size()));
        // the schedule runs on across "run" commands: wake-up k is device k % N, due at start + k * spacing
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        return command -> {
            if (!command[0].equals("run")) {
                throw new IllegalArgumentException("unknown command " + command[0]);
            }
            return run(keys, server, intervalNanos, workers, start, next, Long.parseLong(command[1]), config, trust,
                    shared, reading);
        };
    }

    private static ObjectNode run(List<KeyPair> keys, InetSocketAddress server, long intervalNanos, int workers,
            long start, AtomicLong next, long seconds, Configuration config, NewAdvancedCertificateVerifier trust,
            ScheduledExecutorService shared, byte[] reading) throws InterruptedException {
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong late = new AtomicLong();
        long runStart = System.nanoTime();
        long end = runStart + TimeUnit.SECONDS.toNanos(seconds);
        long spacing = intervalNanos / keys.size();
        Thread[] threads = new Thread[workers];
        for (int w = 0; w < workers; w++) {
            threads[w] = new Thread(() -> {
                while (true) {
                    long k = next.get();
                    long due = start + k * spacing;
                    if (due >= end || !next.compareAndSet(k, k + 1)) {
                        if (due >= end) {
                            return;
                        }
                        continue;
                    }
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        } catch (InterruptedException e) {
                            return;
                        }
                    } else if (wait < -intervalNanos / 10) {
                        late.incrementAndGet();
                    }
                    int device = (int) (k % keys.size());
                    String error = SessionsLoad.session(device, DEVICE_PORT, keys.get(device), server, config, trust,
                            shared, reading);
                    (error == null ? acked : failed).incrementAndGet();
                }
            }, "soak-load");
            threads[w].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return Child.object().put("acked", acked.get()).put("failed", failed.get()).put("late", late.get())
                .put("seconds", (System.nanoTime() - runStart) / 1e9);
    }
}
