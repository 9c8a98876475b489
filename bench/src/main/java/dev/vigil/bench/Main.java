package dev.vigil.bench;

import dev.vigil.bench.handshake.HandshakeBench;
import dev.vigil.bench.imports.ImportBench;
import dev.vigil.bench.policy.PolicyBench;
import dev.vigil.bench.revocation.RevocationBench;
import dev.vigil.bench.sessions.SessionsBench;
import dev.vigil.bench.trust.TrustBench;
import dev.vigil.bench.wire.WireBench;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/bench [--quick] [name...]}: runs the named benchmarks (default: all) and writes
 * {@code bench/target/report.md} and {@code report.json}, then prints the Markdown.
 */
public final class Main {

    /** A benchmark: runs and describes its results. */
    interface Bench {
        Section run(Ctx ctx) throws Exception;
    }

    private static final Map<String, Bench> BENCHMARKS = new LinkedHashMap<>();
    /** Run only when named: the soak takes an hour. */
    private static final List<String> BY_NAME_ONLY = List.of("soak", "revocation-cluster", "storm");

    static {
        BENCHMARKS.put("handshake", HandshakeBench::run);
        BENCHMARKS.put("sessions", SessionsBench::run);
        BENCHMARKS.put("revocation", RevocationBench::run);
        BENCHMARKS.put("wire", WireBench::run);
        BENCHMARKS.put("import", ImportBench::run);
        BENCHMARKS.put("gate", dev.vigil.server.GateBench::run);
        BENCHMARKS.put("ingest", dev.vigil.server.IngestBench::run);
        BENCHMARKS.put("policy", PolicyBench::run);
        BENCHMARKS.put("trust", TrustBench::run);
        BENCHMARKS.put("downlink", dev.vigil.bench.downlink.DownlinkBench::run);
        BENCHMARKS.put("keys", dev.vigil.bench.keys.KeysBench::run);
        BENCHMARKS.put("agent", dev.vigil.bench.agent.AgentBench::run);
        BENCHMARKS.put("cli", dev.vigil.bench.cli.CliBench::run);
        BENCHMARKS.put("cluster", dev.vigil.server.ClusterBench::run);
        BENCHMARKS.put("gateway", dev.vigil.bench.gateway.GatewayBench::run);
        BENCHMARKS.put("soak", dev.vigil.bench.soak.SoakBench::run);
        BENCHMARKS.put("revocation-cluster", dev.vigil.bench.revocation.ClusterRevocationBench::run);
        BENCHMARKS.put("storm", dev.vigil.server.StormBench::run);
    }

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Quiet.apply();
        boolean quick = false;
        Path out = Path.of("bench", "target");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: scripts/bench [--quick] [" + String.join("|", BENCHMARKS.keySet()) + "]...");
                    return;
                }
                default -> {
                    if (!BENCHMARKS.containsKey(args[i])) {
                        System.err.println("bench: unknown benchmark '" + args[i] + "'; known: "
                                + String.join(", ", BENCHMARKS.keySet()));
                        System.exit(2);
                    }
                    names.add(args[i]);
                }
            }
        }
        if (names.isEmpty()) {
            names.addAll(BENCHMARKS.keySet());
            names.removeAll(BY_NAME_ONLY);
        }
        Ctx ctx = new Ctx(quick, out.toAbsolutePath());
        Machine machine = Machine.current();
        String command = "scripts/bench" + (args.length == 0 ? "" : " " + String.join(" ", args));
        Ctx.log("%s run of %s on %s", quick ? "quick" : "full", names, machine.label());
        List<Section> sections = new ArrayList<>();
        long started = System.nanoTime();
        boolean failed = false;
        try {
            for (String name : names) {
                long t0 = System.nanoTime();
                Section section;
                try {
                    section = BENCHMARKS.get(name).run(ctx);
                } catch (Exception | Error e) {
                    Ctx.failed("benchmark " + name, e);
                    section = new Section(name, name, "result");
                    section.status = "failed: " + e;
                    failed = true;
                }
                section.seconds = (System.nanoTime() - t0) / 1e9;
                sections.add(section);
                Ctx.log("%s done in %.0f s", name, section.seconds);
                new Report(machine, quick ? "quick (--quick)" : "full", command, sections).write(ctx.out);
            }
        } finally {
            Ctx.deleteTree(ctx.scratch);
        }
        Report report = new Report(machine, quick ? "quick (--quick)" : "full", command, sections);
        report.write(ctx.out);
        Ctx.log("all done in %.0f s; wrote %s and %s", (System.nanoTime() - started) / 1e9,
                ctx.out.resolve("report.md"), ctx.out.resolve("report.json"));
        System.out.print(report.markdown());
        System.out.flush();
        System.exit(failed ? 1 : 0);
    }
}
