package dev.vigil.provisioning.cluster;

import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.store.Dialect;
import dev.vigil.provisioning.RegistryException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's follower of the change feed: one thread that applies every change after the last one applied, in
 * order. On PostgreSQL it holds one {@code LISTEN vigil_changes} connection and catches up as soon as a
 * notification arrives; on every database it also catches up at least every {@link #CATCH_UP_MILLIS}, by
 * sequence number — NOTIFY has no replay, so that is what recovers a notification missed while the listener was
 * reconnecting (the database restarted, the network failed). Each round also reports the node in
 * {@link NodeDirectory}.
 *
 * <p>At most once a {@link #PRUNE_EVERY_MILLIS} a round also prunes the feed ({@link ChangeLog#prune}): changes every
 * node seen within the retention has applied, older than the retention, {@link #PRUNE_BATCH} at a time. If changes
 * after the last one this node applied were pruned (it was away longer than the retention), it cannot know what they
 * were: it hands its applier one {@link ChangeKind#EVERYTHING} change (forget every cache) and goes on from there.
 */
public final class ChangeFeed implements AutoCloseable {

    static final long CATCH_UP_MILLIS = 1000;
    static final long REPORT_MILLIS = 30_000;
    private static final int BATCH = 500;
    static final long PRUNE_EVERY_MILLIS = 60_000;
    static final int PRUNE_BATCH = 1000;
    /** Batches one round prunes at most; the rest waits for the next round. */
    private static final int PRUNE_BATCHES = 10;
    /** How long changes are kept at least, by default. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(1);
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

    private final Database database;
    private final Consumer<Change> applier;
    private final NodeDirectory nodes;
    private volatile NodeDirectory.Node self;
    private final IntSupplier sessions;
    private final Clock clock;
    private final Duration retention;
    private long prunedAt;
    private final Thread thread;
    private volatile boolean running = true;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile long applied;
    private Connection listener;
    private long reportedSeq = -1;
    private int reportedSessions = -1;
    private long reportedAt;
    private boolean failing;

    /**
     * A feed that will apply every change committed from now on: make it before the node's caches load anything.
     *
     * @param sessions the live sessions this node holds
     */
    public ChangeFeed(Database database, Consumer<Change> applier, IntSupplier sessions, Clock clock) {
        this(database, applier, sessions, clock, DEFAULT_RETENTION);
    }

    /**
     * A feed that keeps changes at least {@code retention}.
     *
     * @param sessions the live sessions this node holds
     */
    public ChangeFeed(Database database, Consumer<Change> applier, IntSupplier sessions, Clock clock,
            Duration retention) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("the change feed's retention must be positive: " + retention);
        }
        this.retention = retention;
        this.database = database;
        this.applier = applier;
        this.nodes = new NodeDirectory(database);
        this.sessions = sessions;
        this.clock = clock;
        this.applied = ChangeLog.newest(database); // caches start empty: nothing older concerns them
        this.thread = new Thread(this::run, "vigil-change-feed");
        this.thread.setDaemon(true);
    }

    /**
     * Starts following the feed.
     *
     * @param self this node (its last-seen time, sequence number and session count are refreshed as it runs)
     */
    public ChangeFeed start(NodeDirectory.Node self) {
        this.self = self;
        report();
        thread.start();
        return this;
    }

    /** The sequence number of the newest change this node has applied. */
    public long applied() {
        return applied;
    }

    private void run() {
        while (running) {
            try {
                waitForChanges();
                catchUp();
                report();
                prune();
                if (failing) {
                    LOG.info("event=change-feed-recovered applied={}", applied);
                    failing = false;
                }
            } catch (SQLException | RegistryException e) {
                if (!running) {
                    break;
                }
                if (!failing) {
                    LOG.warn("event=change-feed-failing reason=\"{}\"; retrying every {} ms", e.getMessage(),
                            CATCH_UP_MILLIS);
                    failing = true;
                }
                closeListener();
                pause();
            } catch (RuntimeException e) {
                LOG.error("change feed: a change could not be applied", e);
                pause();
            }
        }
        closeListener();
    }

    /** Returns at a notification or after {@link #CATCH_UP_MILLIS}. */
    private void waitForChanges() throws SQLException {
        if (database.dialect() != Dialect.POSTGRESQL) {
            pause();
            return;
        }
        if (listener == null) {
            listener = database.dedicatedConnection();
            try (Statement listen = listener.createStatement()) {
                listen.execute("LISTEN " + ChangeLog.CHANNEL);
            }
            return; // catch up at once: whatever was notified while no one listened
        }
        listener.unwrap(PGConnection.class).getNotifications((int) CATCH_UP_MILLIS);
    }

    /**
     * Applies every change after the last applied one, in order; if some of them were pruned, forgets every cache
     * first and goes on after the pruned ones.
     */
    void catchUp() {
        while (running) {
            ChangeLog.Batch batch = ChangeLog.read(database, applied, BATCH);
            if (batch.prunedThrough() > applied) {
                LOG.warn("event=change-feed-gap applied={} pruned-through={}: changes this node missed are gone;"
                        + " forgetting every cache", applied, batch.prunedThrough());
                applier.accept(new Change(batch.prunedThrough(), ChangeKind.EVERYTHING, ""));
                applied = batch.prunedThrough();
                continue; // and read again from there
            }
            for (Change change : batch.changes()) {
                applier.accept(change);
                applied = change.seq();
            }
            if (batch.changes().size() < BATCH) {
                return;
            }
        }
    }

    /** At most once a {@link #PRUNE_EVERY_MILLIS}: prunes what every node has applied, older than the retention. */
    private void prune() {
        long now = clock.millis();
        if (now - prunedAt < PRUNE_EVERY_MILLIS) {
            return;
        }
        prunedAt = now;
        int deleted = 0;
        for (int i = 0; i < PRUNE_BATCHES && running; i++) {
            int batch = ChangeLog.prune(database, clock.instant().minus(retention), PRUNE_BATCH);
            deleted += batch;
            if (batch < PRUNE_BATCH) {
                break;
            }
        }
        if (deleted > 0) {
            LOG.debug("event=change-feed-pruned changes={}", deleted);
        }
    }

    /** Refreshes this node's row when its numbers changed, and at least every {@link #REPORT_MILLIS}. */
    private void report() {
        int live = sessions.getAsInt();
        long now = clock.millis();
        if (applied == reportedSeq && live == reportedSessions && now - reportedAt < REPORT_MILLIS) {
            return;
        }
        nodes.report(new NodeDirectory.Node(self.id(), self.address(), self.startedAt(), clock.instant(), applied,
                live));
        reportedSeq = applied;
        reportedSessions = live;
        reportedAt = now;
    }

    /**
     * Waits {@link #CATCH_UP_MILLIS} or until closed. Never stopped by an interrupt: H2 closes the whole database
     * when a thread is interrupted while it reads or writes the file.
     */
    private void pause() {
        try {
            closing.await(CATCH_UP_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void closeListener() {
        if (listener != null) {
            try {
                listener.close();
            } catch (SQLException e) {
                LOG.debug("change feed: closing the listener: {}", e.getMessage());
            }
            listener = null;
        }
    }

    @Override
    public void close() {
        if (self == null) {
            return;
        }
        running = false;
        closing.countDown();
        try {
            thread.join(CATCH_UP_MILLIS + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
