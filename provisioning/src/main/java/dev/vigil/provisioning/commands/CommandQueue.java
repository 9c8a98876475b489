package dev.vigil.provisioning.commands;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.store.SqlTime;
import dev.vigil.provisioning.audit.AuditLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * Commands for devices, durable: {@link #send} queues one in one transaction with its audit record; the
 * device gets every open command of its own on {@code GET /cmd} (again until it reports a result, so a lost
 * notification loses nothing); {@link #complete} stores the result the device reports, only for its own
 * commands. Commands past their time expire. Which commands a device may receive, and when, is the policy's
 * business, asked by whoever delivers them.
 */
public final class CommandQueue {

    public static final Duration MAX_TTL = Duration.ofDays(30);
    public static final int MAX_TEXT = 4096;
    private static final String COLUMNS = "c.id, c.device_id, d.name, c.name, c.args, c.state, c.created_at,"
            + " c.created_by, c.expires_at, c.delivered_at, c.completed_at, c.result";

    private final Database database;
    private final AuditLog audit;
    private final Clock clock;
    /** Devices with open commands: the telemetry answer tells a sleepy device to fetch them, in O(1). */
    private final Set<Long> waiting = ConcurrentHashMap.newKeySet();
    /** Told the device id of each command queued, after its commit (the server notifies the device). */
    private volatile LongConsumer queued = id -> { };

    public CommandQueue(Database database, AuditLog audit, Clock clock) {
        this.database = database;
        this.audit = audit;
        this.clock = clock;
        database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT DISTINCT device_id FROM commands WHERE state IN ('QUEUED', 'DELIVERED')");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    waiting.add(rows.getLong(1));
                }
            }
            return null;
        });
    }

    /** Queues {@code name} with {@code args} (a JSON object's text) for the device; one transaction, audited. */
    public Command send(long deviceId, String device, String name, String args, Duration ttl, Actor actor) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw Refusal.invalid("ttl must be more than 0 and at most " + MAX_TTL.toDays() + " days");
        }
        if (args.length() > MAX_TEXT) {
            throw Refusal.invalid("command arguments are limited to " + MAX_TEXT + " characters");
        }
        Instant now = clock.instant();
        long id = database.inTransaction(c -> {
            long inserted;
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO commands (device_id, name, args, state,"
                    + " created_at, created_by, expires_at) VALUES (?, ?, ?, 'QUEUED', ?, ?, ?)", new String[] {"id"})) {
                insert.setLong(1, deviceId);
                insert.setString(2, name);
                insert.setString(3, args);
                insert.setObject(4, SqlTime.utc(now));
                insert.setString(5, actor.id());
                insert.setObject(6, SqlTime.utc(now.plus(ttl)));
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    inserted = keys.getLong(1);
                }
            }
            audit.append(c, actor, "command.send", device, null, "command " + inserted + " " + name + " " + args
                    + " ttl=" + ttl.toSeconds() + "s");
            return inserted;
        });
        waiting.add(deviceId);
        queued.accept(deviceId);
        return show(id).orElseThrow();
    }

    /** Who hears of each queued command (one listener: the server's {@code /cmd} resource). */
    public void onQueued(LongConsumer listener) {
        this.queued = listener;
    }

    /** Whether the device has open commands (cheap: for the answer to its telemetry). */
    public boolean waiting(long deviceId) {
        return waiting.contains(deviceId);
    }

    /** The device's open commands, oldest first. */
    public List<Command> open(long deviceId) {
        return database.inTransaction(c -> query(c, "WHERE c.device_id = ? AND c.state IN ('QUEUED', 'DELIVERED')"
                + " AND c.expires_at > ? ORDER BY c.id", deviceId, SqlTime.utc(clock.instant())));
    }

    /** Marks these commands DELIVERED (they were sent to the device); already delivered ones stay as they are. */
    public void delivered(List<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        database.inTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE commands SET state = 'DELIVERED', delivered_at = ? WHERE id = ? AND state = 'QUEUED'")) {
                for (long id : ids) {
                    update.setObject(1, SqlTime.utc(clock.instant()));
                    update.setLong(2, id);
                    update.addBatch();
                }
                update.executeBatch();
            }
            return null;
        });
    }

    /**
     * The device's result for its own command: SUCCEEDED or FAILED with an optional payload; audited.
     * Refused (DENIED) for a command that is not this device's, is unknown, or already has a result.
     */
    public Command complete(long deviceId, String device, long id, boolean succeeded, String result) {
        if (result != null && result.length() > MAX_TEXT) {
            throw Refusal.invalid("a command result is limited to " + MAX_TEXT + " characters");
        }
        Instant now = clock.instant();
        database.inTransaction(c -> {
            Command command = query(c, "WHERE c.id = ? FOR UPDATE", id).stream().findFirst()
                    .filter(found -> found.deviceId() == deviceId)
                    .orElseThrow(() -> Refusal.denied("command " + id + " is not this device's"));
            if (!command.state().open()) {
                throw Refusal.denied("command " + id + " is " + command.state());
            }
            CommandState state = succeeded ? CommandState.SUCCEEDED : CommandState.FAILED;
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE commands SET state = ?, completed_at = ?, result = ? WHERE id = ?")) {
                update.setString(1, state.name());
                update.setObject(2, SqlTime.utc(now));
                update.setString(3, result);
                update.setLong(4, id);
                update.executeUpdate();
            }
            audit.append(c, Actor.system("device " + device), "command.result", device, "command " + id + " "
                    + command.state(), "command " + id + " " + state + (result == null ? "" : " " + result));
            return null;
        });
        refreshWaiting(deviceId);
        return show(id).orElseThrow();
    }

    /** Expires open commands past their time; returns how many. */
    public int expire() {
        Instant now = clock.instant();
        List<Long> devices = new ArrayList<>();
        int expired = database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT DISTINCT device_id FROM commands"
                    + " WHERE state IN ('QUEUED', 'DELIVERED') AND expires_at <= ?")) {
                query.setObject(1, SqlTime.utc(now));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        devices.add(rows.getLong(1));
                    }
                }
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE commands SET state = 'EXPIRED', completed_at = ?"
                    + " WHERE state IN ('QUEUED', 'DELIVERED') AND expires_at <= ?")) {
                update.setObject(1, SqlTime.utc(now));
                update.setObject(2, SqlTime.utc(now));
                return update.executeUpdate();
            }
        });
        devices.forEach(this::refreshWaiting);
        return expired;
    }

    public Optional<Command> show(long id) {
        return database.inTransaction(c -> query(c, "WHERE c.id = ?", id).stream().findFirst());
    }

    /** A device's commands, newest first, at most {@code limit}. */
    public List<Command> list(long deviceId, int limit) {
        return database.inTransaction(c -> query(c, "WHERE c.device_id = ? ORDER BY c.id DESC LIMIT ?", deviceId, limit));
    }

    private void refreshWaiting(long deviceId) {
        boolean open = database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT 1 FROM commands WHERE device_id = ? AND state IN ('QUEUED', 'DELIVERED') LIMIT 1")) {
                query.setLong(1, deviceId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next();
                }
            }
        });
        if (!open) {
            waiting.remove(deviceId);
        }
    }

    private static List<Command> query(Connection c, String where, Object... params) throws SQLException {
        List<Command> commands = new ArrayList<>();
        try (PreparedStatement query = c.prepareStatement("SELECT " + COLUMNS + " FROM commands c JOIN devices d"
                + " ON d.id = c.device_id " + where)) {
            for (int i = 0; i < params.length; i++) {
                query.setObject(i + 1, params[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    commands.add(new Command(rows.getLong(1), rows.getLong(2), rows.getString(3), rows.getString(4),
                            rows.getString(5), CommandState.valueOf(rows.getString(6)), SqlTime.instant(rows, 7),
                            rows.getString(8), SqlTime.instant(rows, 9), SqlTime.instant(rows, 10),
                            SqlTime.instant(rows, 11), rows.getString(12)));
                }
            }
        }
        return commands;
    }
}
