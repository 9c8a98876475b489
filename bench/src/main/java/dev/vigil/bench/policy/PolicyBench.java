package dev.vigil.bench.policy;

import dev.vigil.bench.Ctx;
import dev.vigil.bench.Section;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs the existing {@link PolicyDecideBenchmark} briefly (JMH, -prof gc) and tabulates its figures. */
public final class PolicyBench {

    private PolicyBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("policy", "PolicyEngine.decide (existing JMH benchmark, -prof gc)", "principals",
                "decide ns/op", "memoryLatency ns/op (control)", "decide − control ns", "decide B/op (gc.alloc.rate.norm)");
        Ctx.log("policy: JMH PolicyDecideBenchmark");
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(PolicyDecideBenchmark.class.getName())
                .mode(Mode.AverageTime)
                .forks(1)
                .warmupIterations(ctx.pick(2, 1)).warmupTime(TimeValue.seconds(1))
                .measurementIterations(ctx.pick(3, 1)).measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class)
                .output(ctx.logs.resolve("jmh-policy.log").toString())
                .build()).run();
        Map<Integer, double[]> rows = new TreeMap<>();
        for (RunResult result : results) {
            int principals = Integer.parseInt(result.getParams().getParam("principals"));
            double[] row = rows.computeIfAbsent(principals, p -> new double[] {Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN});
            boolean decide = result.getParams().getBenchmark().endsWith(".decide");
            row[decide ? 0 : 1] = result.getPrimaryResult().getScore();
            row[decide ? 2 : 3] = result.getPrimaryResult().getScoreError();
            Result alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
            if (decide && alloc != null) {
                row[4] = alloc.getScore();
            }
        }
        rows.forEach((principals, r) -> section.row(principals, r[0], r[1], r[0] - r[1], r[4]));
        section.define(String.format("`PolicyDecideBenchmark` as committed (allow path of a sensor profile, another"
                + " principal each call, in random heap order), AverageTime only, 1 fork, %d × 1 s warm-up, %d × 1 s"
                + " measurement, with JMH's GC profiler: a brief run, for trend rather than precision. Full JMH output:"
                + " bench/target/bench-logs/jmh-policy.log.", ctx.pick(2, 1), ctx.pick(3, 1)));
        return section;
    }
}
