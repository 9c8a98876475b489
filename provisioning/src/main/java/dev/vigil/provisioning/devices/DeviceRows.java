package dev.vigil.provisioning.devices;

import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.keys.KeyState;
import dev.vigil.provisioning.store.SqlTime;
import dev.vigil.provisioning.store.UniqueKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for the devices and device_keys tables, shared by the registry's writers. */
final class DeviceRows {

    /** A device row, read under a row lock when changing it. */
    record Row(long id, String name, String profile, DeviceState state, Instant createdAt, Instant updatedAt) {
    }

    private static final String DEVICE_COLUMNS = "id, name, profile, state, created_at, updated_at";

    private DeviceRows() {
    }

    /** The device named {@code name}, locked for update until the transaction ends. */
    static Row lock(Connection c, String name) throws SQLException {
        try (PreparedStatement query = c.prepareStatement(
                "SELECT " + DEVICE_COLUMNS + " FROM devices WHERE name = ? FOR UPDATE")) {
            query.setString(1, name);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw Refusal.notFound("no device named '" + name + "'");
                }
                return row(rows);
            }
        }
    }

    static Row row(ResultSet rows) throws SQLException {
        return new Row(rows.getLong(1), rows.getString(2), rows.getString(3), DeviceState.valueOf(rows.getString(4)),
                SqlTime.instant(rows, 5), SqlTime.instant(rows, 6));
    }

    static long insertDevice(Connection c, String name, String profile, DeviceState state, Instant now)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO devices (name, profile, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                new String[] {"id"})) {
            insert.setString(1, name);
            insert.setString(2, profile);
            insert.setString(3, state.name());
            insert.setObject(4, SqlTime.utc(now));
            insert.setObject(5, SqlTime.utc(now));
            UniqueKeys.executeUpdate(c, insert);
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (SQLIntegrityConstraintViolationException e) {
            throw nameConflict(c, name);
        }
    }

    /** Inserts a key; {@code der} may be null when a manifest names the key by its id only. */
    static void insertKey(Connection c, String keyId, long deviceId, byte[] der, KeyState state, Instant now)
            throws SQLException {
        PrincipalKeys.claim(c, keyId, PrincipalKeys.Kind.DEVICE);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO device_keys"
                + " (key_id, device_id, public_key, state, created_at, updated_at, activated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, keyId);
            insert.setLong(2, deviceId);
            insert.setBytes(3, der);
            insert.setString(4, state.name());
            insert.setObject(5, SqlTime.utc(now));
            insert.setObject(6, SqlTime.utc(now));
            insert.setObject(7, state == KeyState.ACTIVE ? SqlTime.utc(now) : null);
            UniqueKeys.executeUpdate(c, insert);
        } catch (SQLIntegrityConstraintViolationException e) {
            throw keyConflict(c, keyId);
        }
    }

    static void setState(Connection c, long deviceId, DeviceState state, Instant now) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE devices SET state = ?, updated_at = ? WHERE id = ?")) {
            update.setString(1, state.name());
            update.setObject(2, SqlTime.utc(now));
            update.setLong(3, deviceId);
            update.executeUpdate();
        }
    }

    static void setKeyState(Connection c, String keyId, KeyState state, Instant now) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE device_keys SET state = ?, updated_at = ?,"
                + " activated_at = CASE WHEN ? THEN ? ELSE activated_at END WHERE key_id = ?")) {
            update.setString(1, state.name());
            update.setObject(2, SqlTime.utc(now));
            update.setBoolean(3, state == KeyState.ACTIVE);
            update.setObject(4, SqlTime.utc(now));
            update.setString(5, keyId);
            update.executeUpdate();
        }
    }

    static List<DeviceKey> keys(Connection c, long deviceId) throws SQLException {
        List<DeviceKey> keys = new ArrayList<>();
        try (PreparedStatement query = c.prepareStatement("SELECT key_id, state, created_at, activated_at"
                + " FROM device_keys WHERE device_id = ? ORDER BY created_at, key_id")) {
            query.setLong(1, deviceId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    keys.add(new DeviceKey(rows.getString(1), KeyState.valueOf(rows.getString(2)),
                            SqlTime.instant(rows, 3), SqlTime.instant(rows, 4)));
                }
            }
        }
        return keys;
    }

    static Optional<String> activeKey(Connection c, long deviceId) throws SQLException {
        return keys(c, deviceId).stream().filter(k -> k.state() == KeyState.ACTIVE).map(DeviceKey::keyId).findFirst();
    }

    /** The identity behind a key id, read fresh from the database. */
    static Optional<DeviceIdentity> identity(Connection c, String keyId) throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT d.id, d.name, d.profile, d.state, k.state,"
                + " k.activated_at, d.rotation_requested FROM device_keys k JOIN devices d ON d.id = k.device_id"
                + " WHERE k.key_id = ?")) {
            query.setString(1, keyId);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new DeviceIdentity(rows.getLong(1), rows.getString(2), rows.getString(3),
                        DeviceState.valueOf(rows.getString(4)), KeyState.valueOf(rows.getString(5)),
                        SqlTime.instant(rows, 6), rows.getBoolean(7)));
            }
        }
    }

    private static Refusal nameConflict(Connection c, String name) throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT state FROM devices WHERE name = ?")) {
            query.setString(1, name);
            try (ResultSet rows = query.executeQuery()) {
                if (rows.next() && DeviceState.DECOMMISSIONED.name().equals(rows.getString(1))) {
                    return Refusal.conflict("the name '" + name + "' belonged to a decommissioned device and is"
                            + " tombstoned");
                }
            }
        }
        return Refusal.conflict("a device named '" + name + "' already exists");
    }

    static Refusal keyConflict(Connection c, String keyId) throws SQLException {
        Optional<DeviceIdentity> holder = identity(c, keyId);
        if (holder.isPresent() && holder.get().isTombstoned()) {
            return Refusal.conflict("key " + keyId + " belonged to decommissioned or revoked device '"
                    + holder.get().name() + "' and is tombstoned");
        }
        return Refusal.conflict("key " + keyId + " is already registered"
                + holder.map(h -> " to device '" + h.name() + "'").orElse(""));
    }
}
