package dev.vigil.provisioning.devices;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Names;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.audit.AuditLog;

import dev.vigil.provisioning.keys.DeviceKeyAlgorithms;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.KeyState;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.store.DirectoryCache;
import dev.vigil.provisioning.store.SqlTime;
import java.security.PublicKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The registry of devices and their keys (the write port), and the cached {@link DeviceDirectory} the
 * server reads. Every change is one transaction with its audit record; the cache entries of the keys it
 * touched are invalidated after the commit, so the next handshake or request sees it.
 */
public final class DeviceRegistry implements DeviceDirectory {

    /** A device with all the keys it holds or held. */
    public record Details(Device device, List<DeviceKey> keys, boolean rotationRequested) {
    }

    private final Database database;
    private final AuditLog audit;
    private final DirectoryCache<DeviceIdentity> cache;
    private final DeviceKeyAlgorithms keyAlgorithms;

    public DeviceRegistry(Database database, AuditLog audit) {
        this(database, audit, DeviceKeyAlgorithms.ALL);
    }

    /** A registry where devices may hold keys of {@code keyAlgorithms} only. */
    public DeviceRegistry(Database database, AuditLog audit, DeviceKeyAlgorithms keyAlgorithms) {
        this.database = database;
        this.audit = audit;
        this.keyAlgorithms = keyAlgorithms;
        this.cache = new DirectoryCache<>(keyId -> database.inTransaction(c -> DeviceRows.identity(c, keyId)));
    }

    Database database() {
        return database;
    }

    AuditLog audit() {
        return audit;
    }

    /** The algorithms device keys may have here ({@code VIGIL.DEVICE_KEY_ALGORITHMS}). */
    public DeviceKeyAlgorithms keyAlgorithms() {
        return keyAlgorithms;
    }

    /** More work in the transaction that registers a device, given its new registry id (e.g. a gateway binding). */
    @FunctionalInterface
    public interface Within {
        void run(java.sql.Connection c, long deviceId) throws java.sql.SQLException;
    }

    /** Registers an ACTIVE device holding {@code key}. */
    public Device add(String name, PublicKey key, String profile, Actor actor) {
        return add(name, key, profile, actor, (c, id) -> { });
    }

    /** Registers an ACTIVE device holding {@code key}; {@code within} runs in the same transaction, after the audit record. */
    public Device add(String name, PublicKey key, String profile, Actor actor, Within within) {
        Names.require("device name", name);
        Names.require("profile", profile);
        keyAlgorithms.require(key);
        String keyId = KeyIds.of(key);
        Instant now = Instant.now();
        long id = database.inTransaction(c -> {
            long inserted = DeviceRows.insertDevice(c, name, profile, DeviceState.ACTIVE, now);
            DeviceRows.insertKey(c, keyId, inserted, key.getEncoded(), KeyState.ACTIVE, now);
            audit.append(c, actor, "device.add", name, null, "state=ACTIVE profile=" + profile + " key=" + keyId);
            within.run(c, inserted);
            return inserted;
        });
        cache.invalidate(keyId);
        return new Device(id, name, keyId, profile, DeviceState.ACTIVE, now, now);
    }

    public List<Device> list() {
        return database.inTransaction(c -> {
            List<Device> devices = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT d.name, k.key_id, d.profile, d.state,"
                    + " d.created_at, d.updated_at, d.id FROM devices d LEFT JOIN device_keys k"
                    + " ON k.device_id = d.id AND k.state = 'ACTIVE' ORDER BY d.name");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    devices.add(new Device(rows.getLong(7), rows.getString(1), rows.getString(2), rows.getString(3),
                            DeviceState.valueOf(rows.getString(4)), SqlTime.instant(rows, 5),
                            SqlTime.instant(rows, 6)));
                }
            }
            return devices;
        });
    }

    /** How many devices are in each state (states with none are absent). */
    public java.util.Map<DeviceState, Integer> countByState() {
        return database.inTransaction(c -> {
            java.util.Map<DeviceState, Integer> counts = new java.util.EnumMap<>(DeviceState.class);
            try (PreparedStatement query = c.prepareStatement("SELECT state, COUNT(*) FROM devices GROUP BY state");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    counts.put(DeviceState.valueOf(rows.getString(1)), rows.getInt(2));
                }
            }
            return counts;
        });
    }

    public Details show(String name) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT id, name, profile, state, created_at,"
                    + " updated_at, rotation_requested FROM devices WHERE name = ?")) {
                query.setString(1, name);
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        throw Refusal.notFound("no device named '" + name + "'");
                    }
                    DeviceRows.Row row = DeviceRows.row(rows);
                    return new Details(device(row, DeviceRows.activeKey(c, row.id()).orElse(null)),
                            DeviceRows.keys(c, row.id()), rows.getBoolean(7));
                }
            }
        });
    }

    /** The name of the device with this registry id, if any. */
    public Optional<String> nameOf(long id) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT name FROM devices WHERE id = ?")) {
                query.setLong(1, id);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.<String>empty();
                }
            }
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
        return cache.get(keyId);
    }

    /**
     * Runs an operator's lifecycle transition (approve, suspend, quarantine, reinstate, decommission).
     * Decommissioning revokes every key the device held: name and keys stay as tombstones.
     */
    public LifecycleChange change(String name, Lifecycle transition, Actor actor) {
        if (transition == Lifecycle.ACTIVATE || transition == Lifecycle.ROTATE) {
            throw new IllegalArgumentException(transition + " is not an operator transition");
        }
        Instant now = Instant.now();
        LifecycleChange change = database.inTransaction(c -> apply(c, DeviceRows.lock(c, name), transition, actor, now));
        change.keyIds().forEach(cache::invalidate);
        return change;
    }

    /** The most names one {@link #changeAll} takes: one transaction, one management request. */
    public static final int MAX_BATCH = 1_000;

    /**
     * An operator's lifecycle transition on a batch of devices, in one transaction, audited per device; idempotent:
     * a device already where the transition leads is reported unchanged and not audited again. Any unknown name, or
     * any device the transition is illegal for, refuses the whole batch with one line naming them all, and nothing
     * changes (a batch of one refuses with the single-device message).
     */
    public List<LifecycleChange> changeAll(List<String> names, Lifecycle transition, Actor actor) {
        return changeAll(names, transition, actor, (c, id) -> { });
    }

    /**
     * As {@link #changeAll(List, Lifecycle, Actor)}, with more work in the same transaction for each device that
     * changes ({@code within}, after its own change; a {@link Refusal} from it refuses the whole batch).
     */
    public List<LifecycleChange> changeAll(List<String> names, Lifecycle transition, Actor actor, Within within) {
        if (transition == Lifecycle.ACTIVATE || transition == Lifecycle.ROTATE) {
            throw new IllegalArgumentException(transition + " is not an operator transition");
        }
        List<String> distinct = names.stream().distinct().toList();
        if (distinct.isEmpty() || distinct.size() > MAX_BATCH) {
            throw Refusal.invalid("a batch holds 1 to " + MAX_BATCH + " device names, not " + distinct.size());
        }
        Instant now = Instant.now();
        List<LifecycleChange> changes = database.inTransaction(c -> {
            java.util.Map<String, DeviceRows.Row> rows = new java.util.TreeMap<>(); // locked in name order
            List<String> unknown = new ArrayList<>();
            List<String> illegal = new ArrayList<>();
            for (String name : new java.util.TreeSet<>(distinct)) {
                try {
                    DeviceRows.Row row = DeviceRows.lock(c, name);
                    rows.put(name, row);
                    if (!transition.reached(row.state())) {
                        transition.next(row.state());
                    }
                } catch (Refusal r) {
                    if (distinct.size() == 1) {
                        throw r; // the single-device message, as change() gives it
                    }
                    if (r.reason() == Refusal.Reason.NOT_FOUND) {
                        unknown.add(name);
                    } else {
                        illegal.add(name + " (" + r.getMessage() + ")");
                    }
                }
            }
            if (!unknown.isEmpty()) {
                throw Refusal.notFound("no device named " + String.join(", ", unknown) + "; nothing changed");
            }
            if (!illegal.isEmpty()) {
                throw new Refusal(Refusal.Reason.ILLEGAL_TRANSITION, "cannot " + transition.verb() + " "
                        + String.join(", ", illegal) + "; nothing changed");
            }
            List<LifecycleChange> done = new ArrayList<>();
            for (String name : distinct) {
                DeviceRows.Row row = rows.get(name);
                if (transition.reached(row.state())) {
                    done.add(unchanged(c, row));
                } else {
                    done.add(apply(c, row, transition, actor, now));
                    within.run(c, row.id());
                }
            }
            return done;
        });
        changes.stream().filter(LifecycleChange::changed).flatMap(ch -> ch.keyIds().stream()).forEach(cache::invalidate);
        return changes;
    }

    private static LifecycleChange unchanged(java.sql.Connection c, DeviceRows.Row row) throws java.sql.SQLException {
        List<String> keyIds = DeviceRows.keys(c, row.id()).stream().map(DeviceKey::keyId).toList();
        return new LifecycleChange(device(row, row.state() == DeviceState.DECOMMISSIONED ? null
                : DeviceRows.activeKey(c, row.id()).orElse(null)), row.state(), keyIds);
    }

    private LifecycleChange apply(java.sql.Connection c, DeviceRows.Row row, Lifecycle transition, Actor actor,
            Instant now) throws java.sql.SQLException {
        DeviceState next = transition.next(row.state());
        DeviceRows.setState(c, row.id(), next, now);
        List<DeviceKey> keys = DeviceRows.keys(c, row.id());
        if (next == DeviceState.DECOMMISSIONED) {
            for (DeviceKey key : keys) {
                DeviceRows.setKeyState(c, key.keyId(), KeyState.REVOKED, now);
            }
        }
        audit.append(c, actor, "device." + transition.verb(), row.name(), "state=" + row.state(), "state=" + next);
        Device after = device(new DeviceRows.Row(row.id(), row.name(), row.profile(), next, row.createdAt(), now),
                next == DeviceState.DECOMMISSIONED ? null : DeviceRows.activeKey(c, row.id()).orElse(null));
        return new LifecycleChange(after, row.state(), keys.stream().map(DeviceKey::keyId).toList());
    }

    /** A provisioned device's first handshake: ACTIVE, or PENDING when its profile requires approval. */
    public DeviceIdentity activate(String keyId, PublicKey key, boolean requiresApproval) {
        Instant now = Instant.now();
        DeviceIdentity identity = database.inTransaction(c -> {
            DeviceIdentity before = DeviceRows.identity(c, keyId)
                    .orElseThrow(() -> Refusal.notFound("no device holds key " + keyId));
            DeviceRows.Row row = DeviceRows.lock(c, before.name());
            DeviceState next = Lifecycle.ACTIVATE.next(row.state(),
                    requiresApproval ? DeviceState.PENDING : DeviceState.ACTIVE);
            DeviceRows.setState(c, row.id(), next, now);
            DeviceRows.setKeyState(c, keyId, KeyState.ACTIVE, now);
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE device_keys SET public_key = ? WHERE key_id = ? AND public_key IS NULL")) {
                update.setBytes(1, key.getEncoded());
                update.setString(2, keyId);
                update.executeUpdate();
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE devices SET first_seen_at = ? WHERE id = ?")) {
                update.setObject(1, SqlTime.utc(now));
                update.setLong(2, row.id());
                update.executeUpdate();
            }
            audit.append(c, Actor.system("first handshake"), "device.activate", row.name(), "state=" + row.state(),
                    "state=" + next);
            return DeviceRows.identity(c, keyId).orElseThrow();
        });
        cache.invalidate(keyId);
        return identity;
    }

    /** Asks a device to rotate its key; it learns this on its next exchange. */
    public void requestRotation(String name, Actor actor) {
        List<String> keyIds = database.inTransaction(c -> {
            DeviceRows.Row row = DeviceRows.lock(c, name);
            Lifecycle.ROTATE.next(row.state());
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE devices SET rotation_requested = TRUE, updated_at = ? WHERE id = ?")) {
                update.setObject(1, SqlTime.utc(Instant.now()));
                update.setLong(2, row.id());
                update.executeUpdate();
            }
            audit.append(c, actor, "key.rotate", name, null, "rotation requested");
            return DeviceRows.keys(c, row.id()).stream().map(DeviceKey::keyId).toList();
        });
        keyIds.forEach(cache::invalidate);
    }

    /** Forgets every cached identity (the change feed lost track of what changed). */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    /** For the registry's other writers: forget cached identities after their commit. */
    public void invalidate(String keyId) {
        cache.invalidate(keyId);
    }

    private static Device device(DeviceRows.Row row, String activeKeyId) {
        return new Device(row.id(), row.name(), activeKeyId, row.profile(), row.state(), row.createdAt(), row.updatedAt());
    }
}
