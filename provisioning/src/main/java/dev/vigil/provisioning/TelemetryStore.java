package dev.vigil.provisioning;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Durable telemetry: a batch is committed before {@link #append} returns. */
public final class TelemetryStore {

    private final Database database;

    public TelemetryStore(Database database) {
        this.database = database;
    }

    /** Stores one device's batch in one transaction. */
    public void append(long deviceId, Instant receivedAt, List<Reading> readings) {
        database.inTransaction(c -> {
            Database.nameTransaction("telemetry");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO telemetry (device_id, received_at, name,"
                    + " unit, num_value, str_value, bool_value, measured_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
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
                insert.executeBatch();
            }
            return null;
        });
    }

    /** The newest {@code limit} readings of a device, oldest first. */
    public List<StoredReading> tail(String deviceName, int limit) {
        return database.inTransaction(c -> {
            List<StoredReading> result = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT t.id, t.received_at, t.name, t.unit,"
                    + " t.num_value, t.str_value, t.bool_value, t.measured_at FROM telemetry t"
                    + " JOIN devices d ON d.id = t.device_id WHERE d.name = ? ORDER BY t.id DESC LIMIT ?")) {
                query.setString(1, deviceName);
                query.setInt(2, limit);
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
            Collections.reverse(result);
            return result;
        });
    }
}
