package dev.vigil.bench.policy;

import dev.vigil.policy.Decision;
import dev.vigil.policy.Method;
import dev.vigil.policy.TrustTier;
import dev.vigil.policy.trust.DeviceTrust;
import dev.vigil.policy.trust.ProfileLimits;
import dev.vigil.policy.trust.TrustEngine;
import dev.vigil.policy.trust.TrustListener;
import dev.vigil.policy.trust.TrustSettings;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * {@code TrustEngine.onRequest} for an allowed telemetry request, each call for another of 10 to 1,000,000
 * devices (in random heap order) that report once a simulated minute, so every call is the steady path of
 * a trained device (credit, volume, hour roll once an hour, score, tier). Run with
 * {@code java -jar bench/target/benchmarks.jar TrustUpdateBenchmark -prof gc}. The claims: 0 B/op, and
 * at most 50 ns while the devices' state fits in cache; {@code memoryLatency} (one cache miss over the same
 * footprint, 256 bytes a device) is the floor beyond that.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class TrustUpdateBenchmark {

    private static final long MINUTE_MICROS = 60_000_000L;
    static final int BATCH = 16;

    @Param({"10", "10000", "1000000"})
    int devices;

    private TrustEngine engine;
    private DeviceTrust[] states;
    private long nowMicros;
    private long stepMicros;
    private int next;
    private int[] chase;
    private int position;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        if (params.getBenchmark().endsWith("memoryLatency")) {
            chase = randomCycle(devices * 256 / Integer.BYTES, 64 / Integer.BYTES);
            return;
        }
        engine = new TrustEngine(TrustSettings.defaults(), TrustListener.NONE, 2 * devices);
        ProfileLimits limits = new ProfileLimits(1, 1024);
        states = new DeviceTrust[devices];
        for (int i = 0; i < devices; i++) {
            states[i] = engine.device(i, "sensor", limits);
        }
        // Allocated in id order, visited in random order (the same order throughout, so each device keeps its pace).
        shuffle(states, new Random(42));
        nowMicros = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli() * 1000;
        stepMicros = Math.max(1, MINUTE_MICROS / devices);
        for (int round = 0; round < 20; round++) { // past the warm-up: a trained baseline
            for (int i = 0; i < devices; i++) {
                update();
            }
        }
        System.gc();
    }

    /** The next device, one simulated minute after its previous request. */
    @Benchmark
    public TrustTier update() {
        int i = next;
        next = i + 1 == devices ? 0 : i + 1;
        nowMicros += stepMicros;
        DeviceTrust state = states[i];
        long id = state.deviceId(); // its session and address stay its own
        return engine.onRequest(state, nowMicros / 1000, id + 1, id, 0, Method.POST, 100, Decision.ALLOW);
    }

    /**
     * {@link #update} sixteen times per invocation: SampleTime's per-invocation clock reads (about 20 ns
     * here) spread over sixteen updates, so its median is the update's, not the clock's.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public TrustTier updateBatch() {
        TrustTier last = null;
        for (int k = 0; k < BATCH; k++) {
            last = update();
        }
        return last;
    }

    /** Control: one dependent memory access per operation over 256 bytes a device, in random order. */
    @Benchmark
    public int memoryLatency() {
        int at = chase[position];
        position = at;
        return at;
    }

    @TearDown(Level.Trial)
    public void checkEveryDeviceTrusted() {
        if (states == null) {
            return;
        }
        for (DeviceTrust state : states) {
            if (engine.tier(state) != TrustTier.TRUSTED) {
                throw new IllegalStateException("not the steady path: " + engine.explain(state, nowMicros / 1000));
            }
        }
    }

    private static int[] randomCycle(int length, int stride) {
        Integer[] stops = new Integer[Math.max(1, length / stride)];
        for (int i = 0; i < stops.length; i++) {
            stops[i] = i * stride;
        }
        shuffle(stops, new Random(42));
        int[] cycle = new int[Math.max(length, 1)];
        for (int i = 0; i < stops.length; i++) {
            cycle[stops[i]] = stops[(i + 1) % stops.length];
        }
        return cycle;
    }

    private static void shuffle(Object[] array, Random random) {
        for (int i = array.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Object swap = array[i];
            array[i] = array[j];
            array[j] = swap;
        }
    }
}
