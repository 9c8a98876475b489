package dev.vigil.provisioning.telemetry;

import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.store.SqlTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Durable telemetry: a batch is committed before {@link #append} returns. */
public final class TelemetryStore {

    private final Database database;
    private final java.util.concurrent.atomic.LongAdder storedSinceStart = new java.util.concurrent.atomic.LongAdder();

    public TelemetryStore(Database database) {
        this.database = database;
    }

    /** What a numbered batch did: readings stored, readings dropped as replays, and the device's highest number now. */
    public record Stored(int stored, int replayed, long lastSeq) {
    }

    /** Stores one device's batch in one transaction. */
    public void append(long deviceId, Instant receivedAt, List<Reading> readings) {
        database.inTransaction(c -> {
            Database.nameTransaction("telemetry");
            insert(c, deviceId, receivedAt, readings);
            return null;
        });
        storedSinceStart.add(readings.size());
    }

    /** Readings this node stored (committed) since it started: for metrics. */
    public long storedSinceStart() {
        return storedSinceStart.sum();
    }

    /**
     * Stores a batch whose readings are numbered {@code firstSeq}, {@code firstSeq + 1}, ... in one transaction,
     * dropping those at or below the highest number already stored for the device (a resend of readings whose
     * 2.04 was lost): each numbered reading is stored once, whatever the device repeats.
     */
    public Stored append(long deviceId, Instant receivedAt, List<Reading> readings, long firstSeq) {
        Stored result = database.inTransaction(c -> {
            Database.nameTransaction("telemetry");
            try (PreparedStatement rows = insertStatement(c)) {
                Stored stored = appendNumbered(c, rows, deviceId, receivedAt, readings, firstSeq);
                rows.executeBatch();
                return stored;
            }
        });
        storedSinceStart.add(result.stored());
        return result;
    }

    /**
     * Stores several devices' packs in ONE transaction (a group commit), in the order given: each pack as
     * {@link #append} would, so a device's numbered packs keep its replay rule among themselves (a later pack sees
     * what an earlier one in the group stored). Numbered devices' rows are locked in ascending id order first.
     * Returns one {@link Stored} per pack, in order ({@code lastSeq} -1 for an unnumbered pack). If any pack fails,
     * the whole group is rolled back and nothing is stored.
     */
    public List<Stored> appendGroup(List<Pack> packs) {
        List<Stored> results = database.inTransaction(c -> {
            Database.nameTransaction("telemetry");
            java.util.SortedSet<Long> numbered = new java.util.TreeSet<>();
            packs.stream().filter(p -> p.firstSeq() != null).forEach(p -> numbered.add(p.deviceId()));
            for (long deviceId : numbered) {
                lastSeq(c, deviceId);
            }
            List<Stored> stored = new ArrayList<>(packs.size());
            try (PreparedStatement rows = insertStatement(c)) { // every pack's rows in one batch
                for (Pack pack : packs) {
                    if (pack.firstSeq() == null) {
                        addRows(rows, pack.deviceId(), pack.receivedAt(), pack.readings());
                        stored.add(new Stored(pack.readings().size(), 0, -1));
                    } else {
                        stored.add(appendNumbered(c, rows, pack.deviceId(), pack.receivedAt(), pack.readings(),
                                pack.firstSeq()));
                    }
                }
                rows.executeBatch();
            }
            return stored;
        });
        storedSinceStart.add(results.stream().mapToLong(Stored::stored).sum());
        return results;
    }

    /** The replay rule for one numbered pack: its fresh readings join {@code rows}' batch, its number is stored. */
    private static Stored appendNumbered(Connection c, PreparedStatement rows, long deviceId, Instant receivedAt,
            List<Reading> readings, long firstSeq) throws SQLException {
        long last = lastSeq(c, deviceId);
        int skip = (int) Math.max(0, Math.min(readings.size(), last - firstSeq + 1));
        List<Reading> fresh = readings.subList(skip, readings.size());
        if (!fresh.isEmpty()) {
            addRows(rows, deviceId, receivedAt, fresh);
            long newLast = firstSeq + readings.size() - 1;
            dev.vigil.provisioning.store.Upsert.row(c, "telemetry_sequences", "device_id", deviceId,
                    new String[] {"last_seq"}, newLast);
            last = newLast;
        }
        return new Stored(fresh.size(), skip, last);
    }

    /** The highest sequence number stored for the device (-1 if none), its row locked until the commit. */
    private static long lastSeq(Connection c, long deviceId) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT id FROM devices WHERE id = ? FOR UPDATE")) {
            lock.setLong(1, deviceId); // serialises a device's numbered batches, also before its first row exists
            lock.executeQuery().close();
        }
        try (PreparedStatement query = c.prepareStatement(
                "SELECT last_seq FROM telemetry_sequences WHERE device_id = ?")) {
            query.setLong(1, deviceId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getLong(1) : -1;
            }
        }
    }

    private static void insert(Connection c, long deviceId, Instant receivedAt, List<Reading> readings)
            throws SQLException {
        try (PreparedStatement insert = insertStatement(c)) {
            addRows(insert, deviceId, receivedAt, readings);
            insert.executeBatch();
        }
    }

    private static PreparedStatement insertStatement(Connection c) throws SQLException {
        return c.prepareStatement("INSERT INTO telemetry (device_id, received_at, name,"
                + " unit, num_value, str_value, bool_value, measured_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    }

    /** Adds one row per reading to {@code insert}'s batch. */
    private static void addRows(PreparedStatement insert, long deviceId, Instant receivedAt, List<Reading> readings)
            throws SQLException {
        for (Reading r : readings) {
            insert.setLong(1, deviceId);
            insert.setObject(2, SqlTime.utc(receivedAt));
            insert.setString(3, r.name());
            insert.setString(4, r.unit());
            insert.setObject(5, r.number(), Types.DOUBLE);
            insert.setString(6, r.text());
            insert.setObject(7, r.bool(), Types.BOOLEAN);
            insert.setObject(8, r.measuredAt(), Types.DOUBLE);
            insert.addBatch();
        }
    }

    /** When the device's newest stored reading was received, if it has any. */
    public java.util.Optional<Instant> lastReceived(long deviceId) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT received_at FROM telemetry WHERE device_id = ? ORDER BY id DESC LIMIT 1")) {
                query.setLong(1, deviceId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? java.util.Optional.of(SqlTime.instant(rows, 1)) : java.util.Optional.empty();
                }
            }
        });
    }

    /** The newest {@code limit} readings of a device, oldest first. */
    public List<StoredReading> tail(String deviceName, int limit) {
        List<StoredReading> newest = select(deviceName, " ORDER BY t.id DESC LIMIT ?", -1, limit);
        Collections.reverse(newest);
        return newest;
    }

    /** The device's readings stored after the one with id {@code afterId}, oldest first, at most {@code limit}. */
    public List<StoredReading> since(String deviceName, long afterId, int limit) {
        return select(deviceName, " AND t.id > ? ORDER BY t.id LIMIT ?", afterId, limit);
    }

    private List<StoredReading> select(String deviceName, String order, long afterId, int limit) {
        return database.inTransaction(c -> {
            List<StoredReading> result = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT t.id, t.received_at, t.name, t.unit,"
                    + " t.num_value, t.str_value, t.bool_value, t.measured_at FROM telemetry t"
                    + " JOIN devices d ON d.id = t.device_id WHERE d.name = ?" + order)) {
                int i = 1;
                query.setString(i++, deviceName);
                if (afterId >= 0) {
                    query.setLong(i++, afterId);
                }
                query.setInt(i, limit);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        Reading reading = new Reading(rows.getString(3), rows.getString(4),
                                rows.getObject(5, Double.class), rows.getString(6),
                                rows.getObject(7, Boolean.class), rows.getObject(8, Double.class));
                        result.add(new StoredReading(rows.getLong(1), deviceName,
                                SqlTime.instant(rows, 2), reading));
                    }
                }
            }
            return result;
        });
    }
}
