package dev.vigil.bench;

import dev.vigil.device.SenmlCbor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A closed-loop round: every device keeps one CON POST /t outstanding until the round ends. */
public final class ClosedLoop {

    /**
     * What one round measured: acknowledged requests per second, the whole JVM's CPU per answered request (µs),
     * the latency median and 99th percentile of acknowledged requests (ms), and the answers by CoAP code.
     */
    public record Round(double rate, double cpuMicros, double p50, double p99, Map<String, Long> codes) {
    }

    private ClosedLoop() {
    }

    /** Opens every device's session with one reading each (before any round measures); a refusal ends the bench. */
    public static void openSessions(String label, List<BenchDevice> devices, byte[] reading) {
        for (BenchDevice device : devices) {
            BenchDevice.Result first = device.postAndWait("/t", reading, SenmlCbor.CONTENT_FORMAT, 20_000);
            if (!first.success()) {
                throw new IllegalStateException(label + ": a device could not send: " + first);
            }
        }
    }

    public static Round run(String label, List<BenchDevice> devices, byte[] reading, double seconds)
            throws InterruptedException {
        long cpu0 = Probe.cpuNanos();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        AtomicLong ok = new AtomicLong();
        Map<String, AtomicLong> codes = new ConcurrentHashMap<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(devices.size());
        for (BenchDevice device : devices) {
            next(device, reading, deadline, ok, codes, latencies, done);
        }
        if (!done.await((long) seconds + 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(label + ": requests still outstanding 60 s after the round");
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long cpu = Probe.cpuNanos() - cpu0;
        Map<String, Long> counted = new TreeMap<>();
        codes.forEach((code, n) -> counted.put(code, n.get()));
        long total = counted.values().stream().mapToLong(Long::longValue).sum();
        return new Round(ok.get() / elapsed, total == 0 ? Double.NaN : cpu / 1e3 / total, Fmt.median(latencies),
                Fmt.percentile(latencies, 99), counted);
    }

    private static void next(BenchDevice device, byte[] reading, long deadline, AtomicLong ok,
            Map<String, AtomicLong> codes, List<Double> latencies, CountDownLatch done) {
        if (System.nanoTime() >= deadline) {
            done.countDown();
            return;
        }
        device.post("/t", reading, SenmlCbor.CONTENT_FORMAT).whenComplete((result, error) -> {
            String code = result == null || result.code() == null ? "no answer"
                    : result.code().codeClass + "." + String.format("%02d", result.code().codeDetail);
            codes.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
            if (result != null && result.success()) {
                ok.incrementAndGet();
                latencies.add(result.nanos() / 1e6);
            }
            next(device, reading, deadline, ok, codes, latencies, done);
        });
    }
}
