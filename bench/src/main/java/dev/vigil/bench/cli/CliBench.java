package dev.vigil.bench.cli;

import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Section;
import dev.vigil.provisioning.DataDir;
import dev.vigil.server.VigilServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/bench cli}: the wall time of one {@code vigil} command as an operator runs it, whole process
 * (JVM start, DTLS handshake with the management endpoint, the call): {@code scripts/vigil} as it is now (C1
 * only, class-data sharing archive) against {@code java -jar vigil.jar} (what the script ran before), alternated
 * in pairs in one run, against a node on loopback.
 */
public final class CliBench {

    private CliBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("cli", "vigil CLI: wall time of one command, whole process", "command",
                "scripts/vigil ms (median)", "java -jar vigil.jar ms (median)", "ratio (median of pairs)",
                "ratio range");
        Path jar = Path.of("server", "target", "vigil.jar").toAbsolutePath();
        Path script = Path.of("scripts", "vigil").toAbsolutePath();
        if (!Files.exists(jar) || !Files.exists(script)) {
            section.status = "blocked: run from the repository root after a build (server/target/vigil.jar)";
            return section;
        }
        int rounds = ctx.pick(20, 5);
        DataDir dir = Fixtures.dataDir(ctx, "cli");
        try (VigilServer server = VigilServer.start(dir, Fixtures.serverConfig(30), Clock.systemUTC())) {
            List<String> endpoint = List.of("--server", server.managementUri().toString(), "--operator-key",
                    dir.adminKey().toString(), "--server-key", dir.serverPublicKey().toString());
            for (List<String> command : List.of(List.of("--version"), concat(List.of("device", "list"), endpoint),
                    concat(List.of("operator", "list"), endpoint))) {
                List<String> a = concat(List.of(script.toString()), command);
                List<String> b = concat(List.of("java", "-jar", jar.toString()), command);
                time(ctx, a);
                time(ctx, b); // warm-up: the first script run writes the archive; both warm the page cache
                List<Double> as = new ArrayList<>();
                List<Double> bs = new ArrayList<>();
                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    double ta = time(ctx, a);
                    double tb = time(ctx, b);
                    as.add(ta);
                    bs.add(tb);
                    ratios.add(ta / tb);
                }
                ratios.sort(null);
                section.row("vigil " + String.join(" ", command.subList(0, Math.min(2, command.size()))),
                        Fmt.num(Fmt.median(as)), Fmt.num(Fmt.median(bs)), Fmt.ratio(Fmt.median(ratios)),
                        Fmt.ratio(ratios.get(0)) + "–" + Fmt.ratio(ratios.get(ratios.size() - 1)));
            }
        }
        section.define("Each command is started as a process " + rounds + " times each way, alternated (A B A B ...),"
                + " after one warm-up run each; wall time from start to exit. scripts/vigil runs the jar with"
                + " -XX:TieredStopAtLevel=1 and -XX:SharedArchiveFile (a dynamic CDS archive its first run after a"
                + " build writes); java -jar vigil.jar is how the script ran it before. `device list` and `operator"
                + " list` each do a full DTLS handshake with the management endpoint of a node in this JVM.");
        return section;
    }

    private static double time(Ctx ctx, List<String> command) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.appendTo(ctx.logs.resolve("cli.log").toFile())).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("did not finish in 60 s: " + command);
        }
        double millis = (System.nanoTime() - start) / 1e6;
        if (process.exitValue() != 0) {
            throw new IllegalStateException("exit " + process.exitValue() + ": " + command + " (see bench-logs/cli.log)");
        }
        return millis;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
