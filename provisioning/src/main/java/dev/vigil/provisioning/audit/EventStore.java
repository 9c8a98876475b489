package dev.vigil.provisioning.audit;

import dev.vigil.provisioning.store.SqlTime;
import dev.vigil.provisioning.store.Database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One node's security events in the database, so they survive a restart; older than the retention period,
 * deleted. Each node numbers its events on its own, so a row is keyed by the node's name and its number.
 */
public final class EventStore {

    private final Database database;
    private final String node;

    /** @param node this node's name among the nodes of one registry (at most 64 characters) */
    public EventStore(Database database, String node) {
        this.database = database;
        this.node = node;
    }

    /** Stores events in one transaction (in batches), oldest first. */
    public void append(List<SecurityEvents.Event> events) {
        if (events.isEmpty()) {
            return;
        }
        database.inTransaction(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO security_events (node, seq, at, type,"
                    + " subject, detail, count) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (SecurityEvents.Event e : events) {
                    insert.setString(1, node);
                    insert.setLong(2, e.seq());
                    insert.setObject(3, SqlTime.utc(e.at()));
                    insert.setString(4, clip(e.type(), 64));
                    insert.setString(5, clip(e.subject() == null ? "" : e.subject(), 200));
                    insert.setString(6, clip(e.detail() == null ? "" : e.detail(), 1000));
                    insert.setLong(7, e.count());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    /** This node's newest {@code limit} events (with those stored before events had a node), oldest first. */
    public List<SecurityEvents.Event> newest(int limit) {
        return database.inTransaction(c -> {
            List<SecurityEvents.Event> events = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT seq, at, type, subject, detail, count"
                    + " FROM security_events WHERE node = ? OR node = '' ORDER BY seq DESC LIMIT ?")) {
                query.setString(1, node);
                query.setInt(2, limit);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        events.add(new SecurityEvents.Event(rows.getLong(1), SqlTime.instant(rows, 2),
                                rows.getString(3), rows.getString(4), rows.getString(5), rows.getLong(6)));
                    }
                }
            }
            Collections.reverse(events);
            return events;
        });
    }

    /** Deletes events from before {@code before}; returns how many. */
    public int deleteBefore(Instant before) {
        return database.inTransaction(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM security_events WHERE at < ?")) {
                delete.setObject(1, SqlTime.utc(before));
                return delete.executeUpdate();
            }
        });
    }

    private static String clip(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
