package dev.vigil.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;

/**
 * What a benchmark asks a JVM about itself: process CPU time, GC time, heap after a full GC, a class
 * histogram, and a poor man's sampling profiler (thread stacks every few ms, bucketed by what the
 * stack is doing: which crypto operation, the registry, logging...).
 */
public final class Probe {

    private Probe() {
    }

    public static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** User and system CPU time of this process in ms, from /proc/self/stat (0, 0 if unavailable). */
    public static long[] cpuSplitMillis() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime is field 14, stime field 15; clock ticks of 10 ms
            return new long[] {Long.parseLong(fields[11]) * 10, Long.parseLong(fields[12]) * 10};
        } catch (java.io.IOException | RuntimeException e) {
            return new long[2];
        }
    }

    /** CPU nanoseconds of live Java threads, summed by thread name with digits and addresses removed. */
    public static ObjectNode threadCpu() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byName = new HashMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                String name = info.getThreadName().replaceAll("\\[.*?\\]|[0-9#:./-]+", "");
                byName.merge(name, cpu, Long::sum);
            }
        }
        ObjectNode node = Fork.JSON.createObjectNode();
        byName.forEach(node::put);
        return node;
    }

    /** Accumulated JIT compilation time (ms), as the JVM reports it. */
    public static long jitMillis() {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    public static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** Heap in use after a few full collections. */
    public static long heapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Live objects per class (bytes, instances), from {@code GC.class_histogram} (a full GC first). */
    public static Map<String, long[]> classHistogram() {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            Map<String, long[]> classes = new HashMap<>();
            for (String line : text.toString().split("\n")) {
                String[] cells = line.trim().split("\\s+");
                if (cells.length >= 4 && cells[0].endsWith(":")) {
                    classes.put(cells[3], new long[] {Long.parseLong(cells[2]), Long.parseLong(cells[1])});
                }
            }
            return classes;
        } catch (Exception e) {
            throw new IllegalStateException("class histogram: " + e.getMessage(), e);
        }
    }

    /** The classes that grew most between two histograms, as JSON rows {class, bytes, instances}. */
    public static ArrayNode histogramGrowth(Map<String, long[]> before, Map<String, long[]> after, int top) {
        List<Map.Entry<String, long[]>> growth = new ArrayList<>();
        for (Map.Entry<String, long[]> entry : after.entrySet()) {
            long[] was = before.getOrDefault(entry.getKey(), new long[2]);
            long[] delta = {entry.getValue()[0] - was[0], entry.getValue()[1] - was[1]};
            growth.add(Map.entry(entry.getKey(), delta));
        }
        growth.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        ArrayNode rows = Fork.JSON.createArrayNode();
        for (Map.Entry<String, long[]> entry : growth.subList(0, Math.min(top, growth.size()))) {
            rows.addObject().put("class", entry.getKey()).put("bytes", entry.getValue()[0])
                    .put("instances", entry.getValue()[1]);
        }
        return rows;
    }

    /**
     * A JFR recording of execution samples (threads running Java code, no safepoint bias) and native
     * method samples (only UDP sends are kept: idle receivers sit in native code too), bucketed by what
     * the stack is doing.
     */
    public static final class Sampler {
        private final jdk.jfr.Recording recording;

        public Sampler(long intervalMillis) {
            recording = new jdk.jfr.Recording();
            recording.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(intervalMillis));
            recording.enable("jdk.NativeMethodSample").withPeriod(java.time.Duration.ofMillis(intervalMillis));
            recording.setToDisk(true);
            recording.start();
        }

        /** Stops sampling; buckets as {name: share of samples}, biggest first. */
        public ObjectNode stop() throws java.io.IOException {
            recording.stop();
            java.nio.file.Path file = java.nio.file.Files.createTempFile("vigil-bench-", ".jfr");
            Map<String, Integer> buckets = new HashMap<>();
            Map<String, Integer> topFrames = new HashMap<>();
            Map<String, Integer> callers = new HashMap<>();
            int samples = 0;
            try {
                recording.dump(file);
                for (jdk.jfr.consumer.RecordedEvent event : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
                    jdk.jfr.consumer.RecordedStackTrace trace = event.getStackTrace();
                    if (trace == null || trace.getFrames().isEmpty()) {
                        continue;
                    }
                    List<jdk.jfr.consumer.RecordedFrame> frames = trace.getFrames();
                    StackTraceElement[] stack = new StackTraceElement[frames.size()];
                    for (int i = 0; i < stack.length; i++) {
                        jdk.jfr.consumer.RecordedMethod method = frames.get(i).getMethod();
                        stack[i] = new StackTraceElement(method.getType().getName(), method.getName(), null, -1);
                    }
                    String bucket;
                    if (event.getEventType().getName().equals("jdk.NativeMethodSample")) {
                        if (!stack[0].getMethodName().startsWith("send")) {
                            continue; // a thread waiting in a receive or poll
                        }
                        bucket = "UDP send (syscall; on loopback it includes delivery to the peer)";
                    } else {
                        bucket = bucket(stack);
                    }
                    samples++;
                    buckets.merge(bucket, 1, Integer::sum);
                    callers.merge(bucket + " <- " + caller(stack), 1, Integer::sum);
                    if (bucket.startsWith("other")) {
                        topFrames.merge(stack[0].getClassName() + "." + stack[0].getMethodName(), 1, Integer::sum);
                    }
                }
            } finally {
                recording.close();
                java.nio.file.Files.deleteIfExists(file);
            }
            ObjectNode result = Fork.JSON.createObjectNode();
            int total = samples;
            result.put("samples", total);
            ObjectNode shares = result.putObject("buckets");
            buckets.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                    .forEach(e -> shares.put(e.getKey(), total == 0 ? 0 : (double) e.getValue() / total));
            ObjectNode other = result.putObject("otherTopFrames");
            topFrames.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(12)
                    .forEach(e -> other.put(e.getKey(), total == 0 ? 0 : (double) e.getValue() / total));
            ObjectNode calledFrom = result.putObject("callers");
            callers.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(25)
                    .forEach(e -> calledFrom.put(e.getKey(), total == 0 ? 0 : (double) e.getValue() / total));
            return result;
        }

        /** The first Californium or Vigil frame from the top: who asked for the work. */
        private static String caller(StackTraceElement[] stack) {
            for (StackTraceElement frame : stack) {
                String c = frame.getClassName();
                if (c.startsWith("org.eclipse.californium") || c.startsWith("dev.vigil")) {
                    return c.substring(c.lastIndexOf('.') + 1) + "." + frame.getMethodName();
                }
            }
            return "?";
        }

        /** The first frame from the top that says what the thread is doing. */
        static String bucket(StackTraceElement[] stack) {
            for (StackTraceElement frame : stack) {
                String c = frame.getClassName();
                String m = frame.getMethodName();
                if (m.equals("engineSign") || (c.contains("ECDSA") || c.contains("DSABase") || c.contains("EdDSA"))
                        && m.startsWith("sign")) {
                    return "signature: sign (ServerKeyExchange)";
                }
                if (m.equals("engineVerify") || (c.contains("ECDSA") || c.contains("DSABase")) && m.startsWith("verify")) {
                    return "signature: verify (client CertificateVerify)";
                }
                if (m.equals("generateKeyPair") || m.equals("engineGenerateKeyPair")) {
                    return "ECDHE: ephemeral key generation";
                }
                if (m.equals("engineGenerateSecret") || m.equals("engineDoPhase") || m.equals("generateSecret")
                        || m.equals("doPhase")) {
                    return "ECDHE: key agreement";
                }
                if (c.endsWith("KeyFactory") || m.equals("engineGeneratePublic") || m.equals("generatePublic")
                        || c.contains("X509Key") || c.contains("ECPublicKeyImpl") && m.equals("<init>")) {
                    return "public key decoding / encoding";
                }
                if (c.contains("PseudoRandomFunction")) {
                    return "PRF (HMAC-SHA256: master secret, keys, Finished)";
                }
                if (c.contains("HelloVerify") || c.contains("CookieGenerator")) {
                    return "HelloVerifyRequest cookie (HMAC)";
                }
                if (c.contains("CCMBlockCipher") || c.contains("GaloisCounterMode") || c.contains("AESCrypt")
                        || c.contains("CCMCipher") || c.contains("AeadCipher") || c.contains("javax.crypto.Cipher")) {
                    return "record encryption (AES)";
                }
                if (c.startsWith("java.security.MessageDigest") || c.contains("sun.security.provider.SHA")
                        || c.contains("DigestBase")) {
                    return "hashing (handshake hash, key ids)";
                }
                if (c.startsWith("org.h2") || c.startsWith("java.sql")) {
                    return "H2 registry";
                }
                if (c.startsWith("ch.qos.logback") || c.startsWith("org.slf4j")) {
                    return "logging";
                }
                if (c.startsWith("dev.vigil")) {
                    return "Vigil code (admission, gate, resources)";
                }
            }
            StackTraceElement top = stack[0];
            String c = top.getClassName();
            if (c.startsWith("org.eclipse.californium.scandium")) {
                return "other: Scandium (record layer, handshaker)";
            }
            if (c.startsWith("org.eclipse.californium")) {
                return "other: Californium (CoAP stack, connector)";
            }
            if (c.startsWith("org.bouncycastle") || c.startsWith("sun.security") || c.startsWith("java.math")) {
                return "other: crypto (unattributed)";
            }
            return "other: JDK / misc";
        }
    }
}
