package dev.vigil.provisioning.cluster;

import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.store.Dialect;
import dev.vigil.provisioning.store.SqlTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code changes} table: written in the transaction of each change (by the audit log, which every change
 * passes through), read by every node's {@link ChangeFeed}. On PostgreSQL the same transaction sends
 * {@code NOTIFY vigil_changes, '<seq>'}, delivered at its commit; the payload is only the number.
 */
public final class ChangeLog {

    /** The PostgreSQL notification channel. */
    public static final String CHANNEL = "vigil_changes";

    private ChangeLog() {
    }

    /** Records the change an audit record {@code seq} describes, if any node caches what it changed. */
    public static void record(Connection c, Dialect dialect, long seq, String action, String subject, Instant at)
            throws SQLException {
        ChangeKind kind = ChangeKind.of(action).orElse(null);
        if (kind == null) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO changes (seq, kind, subject, at) VALUES (?, ?, ?, ?)")) {
            insert.setLong(1, seq);
            insert.setString(2, kind.name());
            insert.setString(3, subject);
            insert.setObject(4, SqlTime.utc(at));
            insert.executeUpdate();
        }
        if (dialect == Dialect.POSTGRESQL) {
            try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
                notify.setString(1, Long.toString(seq));
                notify.execute();
            }
        }
    }

    /**
     * What a node reads to catch up: up to {@code limit} changes after {@code seq}, oldest first, and the highest
     * sequence number pruned so far, read after them (a prune that removed a change this read missed has committed
     * its number by then). {@code prunedThrough > seq} means changes after {@code seq} may be gone.
     */
    public record Batch(List<Change> changes, long prunedThrough) {
    }

    /** Reads a {@link Batch} after {@code seq}. */
    public static Batch read(Database database, long seq, int limit) {
        List<Change> changes = after(database, seq, limit);
        return new Batch(changes, prunedThrough(database));
    }

    /** The highest sequence number deleted by {@link #prune} (0 if none). */
    public static long prunedThrough(Database database) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT through_seq FROM changes_pruned WHERE id = 1");
                    ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0L;
            }
        });
    }

    /**
     * Deletes, in one transaction, up to {@code limit} of the oldest changes that every node seen since
     * {@code olderThan} has applied and that were recorded before {@code olderThan}, and records how far it got.
     * A node not seen since then does not hold pruning back: when it comes back it finds its changes gone and
     * forgets every cache ({@link ChangeFeed}).
     *
     * @return how many changes it deleted
     */
    public static int prune(Database database, Instant olderThan, int limit) {
        return database.inTransaction(c -> {
            long through;
            try (PreparedStatement query = c.prepareStatement("SELECT MAX(seq) FROM (SELECT seq FROM changes"
                    + " WHERE at < ? AND seq <= (SELECT MIN(last_seq) FROM nodes WHERE last_seen >= ?)"
                    + " ORDER BY seq LIMIT ?) oldest")) {
                query.setObject(1, SqlTime.utc(olderThan));
                query.setObject(2, SqlTime.utc(olderThan));
                query.setInt(3, limit);
                try (ResultSet rows = query.executeQuery()) {
                    rows.next();
                    through = rows.getLong(1);
                    if (rows.wasNull()) {
                        return 0;
                    }
                }
            }
            int deleted;
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM changes WHERE seq <= ?")) {
                delete.setLong(1, through);
                deleted = delete.executeUpdate();
            }
            try (PreparedStatement mark = c.prepareStatement(
                    "UPDATE changes_pruned SET through_seq = ? WHERE id = 1 AND through_seq < ?")) {
                mark.setLong(1, through);
                mark.setLong(2, through);
                mark.executeUpdate();
            }
            return deleted;
        });
    }

    /** Up to {@code limit} changes after {@code seq}, oldest first. */
    public static List<Change> after(Database database, long seq, int limit) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT seq, kind, subject FROM changes WHERE seq > ? ORDER BY seq LIMIT ?")) {
                query.setLong(1, seq);
                query.setInt(2, limit);
                List<Change> changes = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        changes.add(new Change(rows.getLong(1), ChangeKind.valueOf(rows.getString(2)),
                                rows.getString(3)));
                    }
                }
                return changes;
            }
        });
    }

    /** The newest change's sequence number (0 for none): where a node that starts with empty caches begins. */
    public static long newest(Database database) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM changes");
                    ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }
}
