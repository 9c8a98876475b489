package dev.vigil.device.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.agent.Agent;
import dev.vigil.device.agent.AgentConfig;
import dev.vigil.device.agent.AgentStatus;
import dev.vigil.device.agent.ReadingQueue;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many {@link Agent}s in one JVM, each in its own state directory with its own {@code DeviceClient} (so its own
 * DTLS session and UDP port). Each agent runs on its own scheduler thread as {@code vigil-device run} does; a
 * small-stack thread per agent only waits for its run to end.
 */
public final class Simulation implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Simulation.class);
    private static final long WAITER_STACK_BYTES = 128 * 1024;

    /** One simulated device: its settings and where its queue stood when the run began. */
    private record Member(AgentConfig config, Agent agent, Thread waiter, long firstSeq, long queuedBefore) {
    }

    private final List<Member> members = new ArrayList<>();
    private final LossyRelay relay;
    private final Instant started = Instant.now();
    private boolean closed;

    private Simulation(LossyRelay relay) {
        this.relay = relay;
    }

    /** Starts an agent for each of {@code configs}; {@code relay} (may be null) is closed with the simulation. */
    public static Simulation start(List<AgentConfig> configs, LossyRelay relay) throws IOException {
        Simulation simulation = new Simulation(relay);
        try {
            for (AgentConfig config : configs) {
                simulation.add(config);
            }
        } catch (IOException | RuntimeException e) {
            simulation.close();
            throw e;
        }
        return simulation;
    }

    private void add(AgentConfig config) throws IOException {
        long firstSeq;
        long queuedBefore;
        try (ReadingQueue queue = ReadingQueue.open(config.state().resolve("queue"), config.queueMaxBytes())) {
            firstSeq = queue.nextSeq();
            queuedBefore = queue.depth();
        }
        Agent agent = new Agent(config);
        Thread waiter = new Thread(null, () -> {
            try {
                agent.run(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vigil-sim-" + config.state().getFileName(), WAITER_STACK_BYTES);
        waiter.setDaemon(true);
        members.add(new Member(config, agent, waiter, firstSeq, queuedBefore));
        waiter.start();
    }

    /** The fleet's counts now, from each agent's status file (written after each of its rounds and retries). */
    public FleetTotals totals() {
        FleetTotals totals = FleetTotals.NONE;
        for (Member member : members) {
            totals = totals.plus(statusOfThisRun(member), member.firstSeq(), member.queuedBefore());
        }
        return totals.dropped(relay);
    }

    private JsonNode statusOfThisRun(Member member) {
        try {
            JsonNode status = AgentStatus.read(member.config().state());
            return Instant.parse(status.path("started").asText()).isBefore(started) ? null : status;
        } catch (IOException | RuntimeException e) {
            return null; // not written yet (or being replaced): counted as nothing done yet
        }
    }

    /** Tells every agent to take one more round of readings, then send what it holds and stop. */
    public void finish() {
        members.forEach(member -> member.agent().finishAfterNextRound());
    }

    /** Waits until every agent's run has ended or {@code deadlineNanos} ({@link System#nanoTime()}) passes. */
    public boolean awaitEnd(long deadlineNanos) throws InterruptedException {
        for (Member member : members) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return !anyRunning();
            }
            member.waiter().join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        return !anyRunning();
    }

    private boolean anyRunning() {
        return members.stream().anyMatch(member -> member.waiter().isAlive());
    }

    /** Stops every agent (at once, in parallel: each may be waiting for an answer), then the relay. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        List<Thread> closers = new ArrayList<>();
        for (Member member : members) {
            Thread closer = new Thread(null, () -> {
                try {
                    member.agent().close();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("event=sim-close-failed device={} reason=\"{}\"", member.config().state().getFileName(),
                            e.toString());
                }
            }, "vigil-sim-close", WAITER_STACK_BYTES);
            closer.start();
            closers.add(closer);
        }
        try {
            for (Thread closer : closers) {
                closer.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (relay != null) {
            relay.close();
        }
    }
}
