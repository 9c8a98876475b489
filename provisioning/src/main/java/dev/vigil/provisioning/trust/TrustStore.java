package dev.vigil.provisioning.trust;

import dev.vigil.policy.TrustTier;
import dev.vigil.provisioning.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The trust engine's state in the database: one row per device (tier, pin, score, snapshot), one per cohort. */
final class TrustStore {

    /** One device's saved trust. */
    record Saved(long deviceId, String profile, TrustTier tier, TrustTier pinned, int score, byte[] snapshot) {
    }

    /** A device's tier and pin as the registry holds them: the newest decision of any node. */
    record Stored(TrustTier tier, TrustTier pinned, boolean decommissioned) {
    }

    private final Database database;

    TrustStore(Database database) {
        this.database = database;
    }

    /** Saves one device's row in the caller's transaction. */
    static void save(Connection c, long deviceId, TrustTier tier, TrustTier pinned, int score, byte[] snapshot,
            Instant now) throws SQLException {
        dev.vigil.provisioning.store.Upsert.row(c, "trust_states", "device_id", deviceId,
                new String[] {"tier", "pinned", "score", "snapshot", "updated_at"}, tier.name(),
                pinned == null ? null : pinned.name(), score, snapshot, now.atOffset(ZoneOffset.UTC));
    }

    /** The device's stored tier and pin, if a row was ever written for it. */
    Optional<Stored> tierOf(long deviceId) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement(STORED + " WHERE t.device_id = ?")) {
                query.setLong(1, deviceId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(stored(rows)) : Optional.<Stored>empty();
                }
            }
        });
    }

    /** Every device's stored tier and pin, by device id. */
    Map<Long, Stored> tiers() {
        return database.inTransaction(c -> {
            Map<Long, Stored> all = new java.util.HashMap<>();
            try (PreparedStatement query = c.prepareStatement(STORED); ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    all.put(rows.getLong(4), stored(rows));
                }
            }
            return all;
        });
    }

    private static final String STORED = "SELECT t.tier, t.pinned, d.state, t.device_id FROM trust_states t"
            + " JOIN devices d ON d.id = t.device_id";

    private static Stored stored(ResultSet rows) throws SQLException {
        return new Stored(TrustTier.valueOf(rows.getString(1)),
                rows.getString(2) == null ? null : TrustTier.valueOf(rows.getString(2)),
                "DECOMMISSIONED".equals(rows.getString(3)));
    }

    /**
     * Saves many devices' learned state and the cohorts in one transaction. A device's tier and pin are written only
     * where it has no row yet: they are written by each tier change ({@link #save}), and a node saving what its own
     * engine learned must not put back a tier another node has changed since.
     */
    void saveAll(List<Saved> devices, Map<String, byte[]> cohorts, Instant now) {
        database.inTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE trust_states SET score = ?, snapshot = ?, updated_at = ? WHERE device_id = ?")) {
                for (Saved saved : devices) {
                    update.setInt(1, saved.score());
                    update.setBytes(2, saved.snapshot());
                    update.setObject(3, now.atOffset(ZoneOffset.UTC));
                    update.setLong(4, saved.deviceId());
                    if (update.executeUpdate() == 0) {
                        save(c, saved.deviceId(), saved.tier(), saved.pinned(), saved.score(), saved.snapshot(), now);
                    }
                }
            }
            for (Map.Entry<String, byte[]> cohort : cohorts.entrySet()) {
                dev.vigil.provisioning.store.Upsert.row(c, "trust_cohorts", "profile", cohort.getKey(),
                        new String[] {"snapshot", "updated_at"}, cohort.getValue(), now.atOffset(ZoneOffset.UTC));
            }
            return null;
        });
    }

    /** Every saved device of a device that is not decommissioned, with its current profile. */
    List<Saved> devices() {
        return database.inTransaction(c -> {
            List<Saved> saved = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT t.device_id, d.profile, t.tier, t.pinned, t.score,"
                    + " t.snapshot FROM trust_states t JOIN devices d ON d.id = t.device_id"
                    + " WHERE d.state <> 'DECOMMISSIONED'");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    saved.add(new Saved(rows.getLong(1), rows.getString(2), TrustTier.valueOf(rows.getString(3)),
                            rows.getString(4) == null ? null : TrustTier.valueOf(rows.getString(4)), rows.getInt(5),
                            rows.getBytes(6)));
                }
            }
            return saved;
        });
    }

    Map<String, byte[]> cohorts() {
        return database.inTransaction(c -> {
            Map<String, byte[]> cohorts = new LinkedHashMap<>();
            try (PreparedStatement query = c.prepareStatement("SELECT profile, snapshot FROM trust_cohorts");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    cohorts.put(rows.getString(1), rows.getBytes(2));
                }
            }
            return cohorts;
        });
    }
}
