package dev.vigil.bench.agent;

import dev.vigil.bench.Child;
import dev.vigil.device.agent.Agent;
import dev.vigil.device.agent.AgentConfig;
import dev.vigil.device.agent.AgentStatus;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.Map;

/**
 * Child role {@code agent-heap STATE SERVER_URI SERVER_KEY INTERVAL}: one agent running in this JVM (started with
 * {@code -Xmx32m}); command {@code heap N} waits until it has taken N readings, runs a full GC and answers the
 * heap in use and committed.
 */
public final class AgentHeap {

    private AgentHeap() {
    }

    public static Child.Handler start(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        AgentConfig config = AgentConfig.load(state, Map.of("server", args[1], "server-key", args[2],
                "interval", args[3], "sources", "sim", "timeout", "2s", "backoff-max", "500ms"));
        Agent agent = new Agent(config);
        Thread runner = new Thread(() -> {
            try {
                agent.run(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "agent");
        runner.setDaemon(true);
        runner.start();
        Child.reply(Child.object().put("started", true));
        return command -> {
            if (!command[0].equals("heap")) {
                throw new IllegalArgumentException("unknown command " + command[0]);
            }
            long wanted = Long.parseLong(command[1]);
            while (taken(state) < wanted) {
                if (!runner.isAlive()) {
                    throw new IllegalStateException("the agent stopped");
                }
                Thread.sleep(20);
            }
            System.gc();
            System.gc();
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            return Child.object().put("heapUsed", heap.getUsed()).put("heapCommitted", heap.getCommitted())
                    .put("taken", taken(state));
        };
    }

    private static long taken(Path state) {
        try {
            return AgentStatus.read(state).path("nextSeq").asLong() - 1;
        } catch (java.io.IOException e) {
            return 0; // not written yet
        }
    }
}
