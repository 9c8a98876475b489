package dev.vigil.bench.crypto;

import dev.vigil.bench.Ctx;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link CryptoFloorBenchmark} through JMH (its own forked JVMs) and collects µs per operation. */
public final class CryptoFloor {

    /** µs per operation of one suite; NaN where not measured. */
    public record Costs(double handshake, double sign, double verify, double ecdh) {
        public double perCore() {
            return 1e6 / handshake;
        }
    }

    private CryptoFloor() {
    }

    public static Map<String, Costs> run(Ctx ctx) throws Exception {
        String[] all = {"SunEC-P256", "SunEC-P256+X25519", "BC-P256", "BC-P256+X25519", "SunEC-Ed25519/X25519",
            "BC-Ed25519/X25519"};
        String[] parts = ctx.quick ? new String[0] : new String[] {"SunEC-P256", "BC-P256", "BC-Ed25519/X25519"};
        String[] suites = ctx.quick ? new String[] {"SunEC-P256", "BC-P256", "BC-P256+X25519", "BC-Ed25519/X25519"}
                : all;
        Map<String, double[]> raw = new LinkedHashMap<>();
        for (String suite : suites) {
            raw.put(suite, new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN});
        }
        collect(raw, jmh(ctx, "handshake", suites));
        if (parts.length > 0) {
            collect(raw, jmh(ctx, "(sign|verify|ecdh)", parts));
        }
        Map<String, Costs> costs = new LinkedHashMap<>();
        raw.forEach((suite, c) -> costs.put(suite, new Costs(c[0], c[1], c[2], c[3])));
        return costs;
    }

    private static Collection<RunResult> jmh(Ctx ctx, String methods, String[] suites) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(CryptoFloorBenchmark.class.getName() + "\\." + methods + "$")
                .param("suite", suites)
                .forks(1)
                .warmupIterations(ctx.pick(2, 1)).warmupTime(TimeValue.seconds(1))
                .measurementIterations(ctx.pick(3, 1)).measurementTime(TimeValue.seconds(1))
                .output(ctx.logs.resolve("jmh-crypto-floor-" + methods.replaceAll("[^a-z]+", "-") + ".log").toString());
        Ctx.log("crypto floor: JMH %s x %d suites", methods, suites.length);
        return new Runner(options.build()).run();
    }

    private static void collect(Map<String, double[]> raw, Collection<RunResult> results) {
        for (RunResult result : results) {
            String method = result.getParams().getBenchmark().replaceAll(".*\\.", "");
            String suite = result.getParams().getParam("suite");
            int index = switch (method) {
                case "handshake" -> 0;
                case "sign" -> 1;
                case "verify" -> 2;
                default -> 3;
            };
            raw.get(suite)[index] = result.getPrimaryResult().getScore();
        }
    }
}
