package dev.vigil.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** What a result was measured on: {@code nproc}, the CPU model, {@code java -version}, and when. */
public record Machine(int nproc, String cpu, String java, String date) {

    /** The JCE provider Scandium uses in this JVM (Vigil's default is Bouncy Castle). */
    public static String provider() {
        return org.eclipse.californium.elements.util.JceProviderUtil.usesBouncyCastle() ? "Bouncy Castle" : "SunEC";
    }

    public static Machine current() {
        return new Machine(countCpus(), cpuModel(), javaVersion(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** A short label for a table cell: {@code 2×AMD EPYC · openjdk 17.0.15 · 2026-11-25}. */
    public String label() {
        String shortJava = java.replaceAll("^(\\S+) version \"([^\"]+)\".*$", "$1 $2");
        return nproc + "×" + cpu + " · " + shortJava + " · " + date.substring(0, 10);
    }

    private static int countCpus() {
        List<String> out = run("nproc");
        try {
            return Integer.parseInt(out.get(0).trim());
        } catch (RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }

    /** The first line of {@code java -version} of the JVM running this. */
    private static String javaVersion() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> out = run(java, "-version");
        return out.isEmpty() ? System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                : String.join(" / ", out.subList(0, Math.min(1, out.size()))) + " (" + System.getProperty("java.vm.name")
                        + " " + System.getProperty("java.runtime.version") + ")";
    }

    private static List<String> run(String... command) {
        List<String> lines = new ArrayList<>();
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(line);
                }
            }
            process.waitFor();
        } catch (IOException e) {
            // absent command: caller falls back
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return lines;
    }
}
