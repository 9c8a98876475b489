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
