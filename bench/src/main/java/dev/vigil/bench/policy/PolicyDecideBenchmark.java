package dev.vigil.bench.policy;

import dev.vigil.policy.Action;
import dev.vigil.policy.CompiledPolicy;
import dev.vigil.policy.Conditions;
import dev.vigil.policy.Decision;
import dev.vigil.policy.DeviceProfile;
import dev.vigil.policy.FirmwareVersion;
import dev.vigil.policy.Method;
import dev.vigil.policy.OperatorRole;
import dev.vigil.policy.PolicyCompiler;
import dev.vigil.policy.PolicyEngine;
import dev.vigil.policy.PolicyException;
import dev.vigil.policy.PolicySet;
import dev.vigil.policy.Rate;
import dev.vigil.policy.RequestFacts;
import dev.vigil.policy.Schedule;
import dev.vigil.policy.ScheduleWindow;
import dev.vigil.policy.SendRule;
import dev.vigil.policy.Subject;
import dev.vigil.policy.TrustTier;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * {@code PolicyEngine.decide} on the allow path of a realistic sensor profile (rule lookup, method,
 * format and size, tier, firmware, a Europe/Berlin schedule, daily volume, token bucket), each time for
 * another principal out of 10 to 1,000,000, in random heap order. Run with
 * {@code java -jar bench/target/benchmarks.jar PolicyDecideBenchmark -prof gc}. The claims: 0 B/op
 * ({@code gc.alloc.rate.norm}), and {@code decide} minus the {@code memoryLatency} control (one cache
 * miss over the same footprint) flat from 10 to 1,000,000 principals.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class PolicyDecideBenchmark {

    @Param({"10", "10000", "1000000"})
    int principals;

    private PolicyEngine engine;
    private Subject[] subjects;
    private RequestFacts facts;
    private int[] chase;
    private int position;

    /**
     * Each thread walks the array in order. The array is shuffled after the subjects are allocated (and
     * the heap settled), so consecutive decisions land on subjects scattered over the heap, as requests
     * from random devices do, while picking the next one costs no cache miss of its own.
     */
    @State(Scope.Thread)
    public static class Cursor {
        private int next;

        int next(int bound) {
            int index = next;
            next = index + 1 == bound ? 0 : index + 1;
            return index;
        }
    }

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws PolicyException {
        if (params.getBenchmark().endsWith("memoryLatency")) {
            chase = randomCycle(principals * 72 / Integer.BYTES, 64 / Integer.BYTES);
            return;
        }
        // A bucket deep enough that the fixed clock never runs it dry: this measures the allow path.
        SendRule telemetry = new SendRule("t", List.of("POST"), List.of(110, 112), 1024,
                new Rate(1_000_000, 1_000_000_000), 1L << 40);
        Schedule always = new Schedule("Europe/Berlin", List.of(new ScheduleWindow(
                List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"), "00:00", "24:00")));
        DeviceProfile sensor = new DeviceProfile(List.of(telemetry), List.of("reboot"), List.of("firmware"),
                new Conditions(always, "1.0.0", "LIMITED"), null, false, null);
        CompiledPolicy policy = PolicyCompiler.compile(new PolicySet(1, Map.of("sensor", sensor),
                Map.of("admin", new OperatorRole(List.of("*")))));
        engine = new PolicyEngine(policy, 2 * principals);
        subjects = new Subject[principals];
        for (int i = 0; i < principals; i++) {
            subjects[i] = engine.device(i, "sensor");
        }
        System.gc();
        shuffle(subjects, new Random(42));
        facts = new RequestFacts(Instant.parse("2026-03-02T10:00:00Z").toEpochMilli(), Method.POST, 112, 100,
                TrustTier.TRUSTED, FirmwareVersion.parse("1.2.3"));
    }

    @Benchmark
    public Decision decide(Cursor cursor) {
        return engine.decide(subjects[cursor.next(principals)], Action.SEND, "t", facts);
    }

    /**
     * Control: one dependent memory access per operation, over as many bytes as the subjects take (72
     * each), in random order. When the subjects no longer fit in cache, this is the floor for touching
     * the state of a random principal; {@code decide} minus this is the work of deciding.
     */
    @Benchmark
    public int memoryLatency() {
        int at = chase[position];
        position = at;
        return at;
    }

    /** An array where following {@code a[i]} from 0 visits every {@code stride}-th element once, randomly. */
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

    @TearDown(Level.Trial)
    public void checkEveryDecisionAllowed() {
        if (subjects == null) {
            return;
        }
        for (Subject subject : subjects) {
            if (subject.denials() + subject.rateLimited() > 0) {
                throw new IllegalStateException("not the allow path: " + subject + " was refused");
            }
        }
    }
}
