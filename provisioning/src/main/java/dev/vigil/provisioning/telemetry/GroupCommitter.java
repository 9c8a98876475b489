package dev.vigil.provisioning.telemetry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for telemetry: callers from many devices {@link #offer} checked packs to a bounded queue; one
 * writer thread takes everything waiting (at most {@code maxGroupPacks} packs and about {@code maxGroupReadings}
 * readings), stores it in ONE transaction ({@link TelemetryStore#appendGroup}) and only then tells each caller
 * what became of its pack. If the group's transaction fails, its packs are stored again one by one, so one
 * pack the database refuses fails alone and its neighbours are stored.
 *
 * <p>A full queue refuses the pack at once ({@link #offer} returns false: memory stays bounded; the caller
 * answers "try later"). {@link #close} refuses new packs, stores and answers every pack already queued, then
 * stops the writer: no caller is told "stored" for a pack that is not committed, and none is left unanswered.
 */
public final class GroupCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    /** What the writer tells a caller about its pack, from the writer thread, after the commit (or failure). */
    public interface Answer {
        void stored(TelemetryStore.Stored stored);

        void failed(RuntimeException cause);
    }

    private record Entry(Pack pack, Answer answer) {
    }

    private final TelemetryStore store;
    private final BlockingQueue<Entry> queue;
    private final int maxGroupPacks;
    private final int maxGroupReadings;
    private final Thread writer;
    /** Offers hold it shared, close exclusively: once closed is set, no pack can slip into the queue. */
    private final ReadWriteLock gate = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private final java.util.concurrent.atomic.LongAdder groups = new java.util.concurrent.atomic.LongAdder();

    public GroupCommitter(TelemetryStore store, int queueCapacity, int maxGroupPacks, int maxGroupReadings) {
        if (queueCapacity < 1 || maxGroupPacks < 1 || maxGroupReadings < 1) {
            throw new IllegalArgumentException("queue capacity and group bounds must be at least 1");
        }
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxGroupPacks = maxGroupPacks;
        this.maxGroupReadings = maxGroupReadings;
        this.writer = new Thread(this::run, "vigil-telemetry-writer");
        writer.setDaemon(true);
    }

    /** Starts the writer; packs offered before wait for it (the first group takes them all, within its bounds). */
    public GroupCommitter start() {
        writer.start();
        return this;
    }

    /**
     * Queues a pack; {@code answer} is called exactly once, from the writer thread, after the pack's group is
     * committed (or has failed). False, and {@code answer} never called, when the queue is full or closed.
     */
    public boolean offer(Pack pack, Answer answer) {
        gate.readLock().lock();
        try {
            return !closed && queue.offer(new Entry(pack, answer));
        } finally {
            gate.readLock().unlock();
        }
    }

    /** Packs waiting for the writer (for metrics and tests). */
    public int queued() {
        return queue.size();
    }

    /** Groups the writer has written since it started (committed or failed): packs per group = packs / groups. */
    public long groups() {
        return groups.sum();
    }

    private void run() {
        List<Entry> group = new ArrayList<>(maxGroupPacks);
        while (true) {
            Entry first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null; // close() never interrupts: only a stray interrupt, keep draining
            }
            if (first == null) {
                if (closed && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            group.add(first);
            int readings = first.pack().readings().size();
            Entry next;
            while (group.size() < maxGroupPacks && readings < maxGroupReadings && (next = queue.poll()) != null) {
                group.add(next);
                readings += next.pack().readings().size();
            }
            write(group);
            group.clear();
        }
    }

    private void write(List<Entry> group) {
        groups.increment();
        List<TelemetryStore.Stored> results;
        try {
            results = store.appendGroup(group.stream().map(Entry::pack).toList());
        } catch (RuntimeException e) {
            if (group.size() == 1) {
                tell(group.get(0), null, e);
                return;
            }
            LOG.warn("a group of {} telemetry packs failed ({}); storing them one by one", group.size(),
                    e.getMessage());
            for (Entry entry : group) {
                try {
                    tell(entry, store.appendGroup(List.of(entry.pack())).get(0), null);
                } catch (RuntimeException alone) {
                    tell(entry, null, alone);
                }
            }
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            tell(group.get(i), results.get(i), null);
        }
    }

    /** Answers one caller; a caller's own failure must not keep the others unanswered. */
    private static void tell(Entry entry, TelemetryStore.Stored stored, RuntimeException failure) {
        try {
            if (failure == null) {
                entry.answer().stored(stored);
            } else {
                entry.answer().failed(failure);
            }
        } catch (RuntimeException e) {
            LOG.error("answering a telemetry pack failed", e);
        }
    }

    /** Refuses new packs, stores and answers those already queued, and stops the writer. */
    @Override
    public void close() {
        gate.writeLock().lock();
        try {
            closed = true;
        } finally {
            gate.writeLock().unlock();
        }
        if (writer.getState() == Thread.State.NEW) {
            writer.start(); // never started: it still drains what was queued
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
