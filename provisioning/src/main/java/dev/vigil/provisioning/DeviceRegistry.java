package dev.vigil.provisioning;

import java.security.PublicKey;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of devices and their keys (the write port), and the cached {@link DeviceDirectory}
 * the server reads. Each change is one transaction; the cache entry of every key it touches is
 * refreshed after the commit, so a change is visible to the next handshake.
 */
public final class DeviceRegistry implements DeviceDirectory {

    private final Database database;
    /** Known keys only: unknown keys are never cached, so random keys cannot grow this map. */
    private final Map<String, DeviceIdentity> byKeyId = new ConcurrentHashMap<>();

    public DeviceRegistry(Database database) {
        this.database = database;
    }

    /** Registers an ACTIVE device holding {@code key}. */
    public Device add(String name, PublicKey key, String profile) throws DuplicateException {
        Names.require("device name", name);
        Names.require("profile", profile);
        String keyId = KeyIds.of(key);
        Instant now = Instant.now();
        long id;
        try {
            id = database.inTransaction(c -> {
                long deviceId;
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO devices (name, profile, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                        new String[] {"ID"})) {
                    insert.setString(1, name);
                    insert.setString(2, profile);
                    insert.setString(3, DeviceState.ACTIVE.name());
                    insert.setObject(4, utc(now));
                    insert.setObject(5, utc(now));
                    insert.executeUpdate();
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        keys.next();
                        deviceId = keys.getLong(1);
                    }
                }
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO device_keys"
                        + " (key_id, device_id, public_key, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                    insert.setString(1, keyId);
                    insert.setLong(2, deviceId);
                    insert.setBytes(3, key.getEncoded());
                    insert.setString(4, KeyState.ACTIVE.name());
                    insert.setObject(5, utc(now));
                    insert.setObject(6, utc(now));
                    insert.executeUpdate();
                }
                return deviceId;
            });
        } catch (RegistryException e) {
            if (e.getCause() instanceof SQLIntegrityConstraintViolationException violation) {
                throw violation.getMessage().toUpperCase().contains("DEVICES_NAME_UNIQUE")
                        ? new DuplicateException("a device named '" + name + "' already exists")
                        : new DuplicateException("key " + keyId + " is already registered");
            }
            throw e;
        }
        byKeyId.put(keyId, new DeviceIdentity(id, name, profile, DeviceState.ACTIVE, KeyState.ACTIVE));
        return new Device(name, keyId, profile, DeviceState.ACTIVE, now, now);
    }

    public List<Device> list() {
        return database.inTransaction(c -> {
            List<Device> devices = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT d.name, k.key_id, d.profile, d.state,"
                    + " d.created_at, d.updated_at FROM devices d LEFT JOIN device_keys k"
                    + " ON k.device_id = d.id AND k.state = 'ACTIVE' ORDER BY d.name");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    devices.add(new Device(rows.getString(1), rows.getString(2), rows.getString(3),
                            DeviceState.valueOf(rows.getString(4)), instant(rows, 5), instant(rows, 6)));
                }
            }
            return devices;
        });
    }

    /** The id of the device with this name, if any. */
    public Optional<Long> idOf(String name) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT id FROM devices WHERE name = ?")) {
                query.setString(1, name);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getLong(1)) : Optional.<Long>empty();
                }
            }
        });
    }

    @Override
    public Optional<DeviceIdentity> findByKeyId(String keyId) {
        DeviceIdentity cached = byKeyId.get(keyId);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<DeviceIdentity> loaded = database.inTransaction(c -> load(c, keyId));
        // putIfAbsent: a change committed meanwhile has already written the newer identity.
        loaded.ifPresent(identity -> byKeyId.putIfAbsent(keyId, identity));
        return loaded;
    }

    private static Optional<DeviceIdentity> load(Connection c, String keyId) throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT d.id, d.name, d.profile, d.state, k.state"
                + " FROM device_keys k JOIN devices d ON d.id = k.device_id WHERE k.key_id = ?")) {
            query.setString(1, keyId);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new DeviceIdentity(rows.getLong(1), rows.getString(2), rows.getString(3),
                        DeviceState.valueOf(rows.getString(4)), KeyState.valueOf(rows.getString(5))));
            }
        }
    }

    static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rows, int column) throws SQLException {
        OffsetDateTime time = rows.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }
}
