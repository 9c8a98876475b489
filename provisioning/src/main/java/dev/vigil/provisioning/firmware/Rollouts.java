package dev.vigil.provisioning.firmware;

import dev.vigil.policy.FirmwareVersion;
import dev.vigil.policy.TrustTier;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.store.SqlTime;
import dev.vigil.provisioning.audit.AuditLog;
import dev.vigil.provisioning.audit.SecurityEvents;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * Controlled firmware updates. A rollout offers one published image to a profile's devices in waves
 * ({@code 1,10,50,100}: percent of the devices, each device's place fixed by a hash of the rollout and
 * device ids, so a wave is the same set whoever asks). A wave is done when its devices have reported
 * success in the share the failure threshold leaves; then the next starts. It halts itself — and says why,
 * as an event and in its status — when its wave's failures pass the threshold, or (with halt-on-anomaly)
 * when the trust engine holds more updated devices below TRUSTED than devices not yet updated. Devices
 * report their state and running version and digest; what they report is what {@code minFirmware} is held
 * against, and a version or digest that is not their assigned, published image is a trust signal.
 */
public final class Rollouts {

    /** LwM2M object 5 "Update Result": 1 is success, 2..9 are failures (RFC-less, OMA LwM2M 1.1 §E.6). */
    public static final int RESULT_SUCCESS = 1;

    /**
     * What a device reported, and whether it is suspicious: it runs a published version whose digest is not
     * that version's, or it reports a successful update to something that is not the image it was offered.
     * A version the catalogue never saw (factory firmware) is not suspicious by itself.
     */
    public record Report(long deviceId, String version, String digest, boolean suspicious) {
    }

    private final Database database;
    private final AuditLog audit;
    private final SecurityEvents events;
    private final FirmwareCatalogue catalogue;
    private final Clock clock;
    private volatile LongFunction<TrustTier> tiers = id -> TrustTier.TRUSTED;
    /** Each device's reported running version, packed ({@link FirmwareVersion}), for the request gate. */
    private final Map<Long, Long> running = new ConcurrentHashMap<>();

    public Rollouts(Database database, AuditLog audit, SecurityEvents events, FirmwareCatalogue catalogue, Clock clock) {
        this.database = database;
        this.audit = audit;
        this.events = events;
        this.catalogue = catalogue;
        this.clock = clock;
        database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT device_id, version FROM device_firmware");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    running.put(rows.getLong(1), packed(rows.getString(2)));
                }
            }
            return null;
        });
    }

    /** Where the trust engine's tiers are read (for halt-on-anomaly); set by whoever holds the engine. */
    public void tiersFrom(LongFunction<TrustTier> tiers) {
        this.tiers = tiers;
    }

    /** The version the device last reported running ({@link FirmwareVersion#UNKNOWN} if none). */
    public long runningVersion(long deviceId) {
        return running.getOrDefault(deviceId, FirmwareVersion.UNKNOWN);
    }

    /** The device's place in a rollout: 0-99. Below a wave's share, it is in that wave. */
    static int bucket(long rolloutId, long deviceId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((rolloutId + ":" + deviceId)
                    .getBytes(StandardCharsets.US_ASCII));
            long value = ((hash[0] & 0xffL) << 24) | ((hash[1] & 0xffL) << 16) | ((hash[2] & 0xffL) << 8) | (hash[3] & 0xffL);
            return (int) (value % 100);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a rollout of {@code version} to {@code profile}; its first wave is offered at once. Audited. */
    public Rollout start(String version, String profile, List<Integer> waves, double maxFailures, boolean haltOnAnomaly,
            boolean force, Actor actor) {
        PublishedFirmware firmware = catalogue.findVersion(version)
                .orElseThrow(() -> Refusal.notFound("no published firmware version " + version));
        if (waves.isEmpty() || waves.get(waves.size() - 1) != 100 || waves.stream().anyMatch(w -> w < 1 || w > 100)
                || !waves.equals(waves.stream().sorted().distinct().toList())) {
            throw Refusal.invalid("waves must rise from at least 1 to 100 percent, e.g. 1,10,50,100");
        }
        if (maxFailures < 0 || maxFailures >= 1) {
            throw Refusal.invalid("the failure threshold must be at least 0 % and below 100 %");
        }
        Instant now = clock.instant();
        long id = database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT id FROM rollouts WHERE profile = ? AND state IN ('RUNNING', 'PAUSED')")) {
                query.setString(1, profile);
                try (ResultSet rows = query.executeQuery()) {
                    if (rows.next()) {
                        throw Refusal.conflict("rollout " + rows.getLong(1) + " of profile '" + profile
                                + "' is under way: finish, abort or let it halt first");
                    }
                }
            }
            long rolledOut = highestSequenceRolledOut(c, profile, firmware.manifest());
            if (firmware.manifest().sequence() < rolledOut && !force) {
                throw Refusal.conflict("version " + version + " (sequence " + firmware.manifest().sequence()
                        + ") is older than what profile '" + profile + "' was given (sequence " + rolledOut
                        + "): a downgrade; --force to roll it out anyway");
            }
            long inserted;
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO rollouts (firmware_id, profile, waves, wave,"
                    + " state, max_failures, halt_on_anomaly, started_at, updated_at) VALUES (?, ?, ?, 0, 'RUNNING', ?, ?,"
                    + " ?, ?)", new String[] {"id"})) {
                insert.setLong(1, firmware.id());
                insert.setString(2, profile);
                insert.setString(3, waves.stream().map(String::valueOf).collect(Collectors.joining(",")));
                insert.setDouble(4, maxFailures);
                insert.setBoolean(5, haltOnAnomaly);
                insert.setObject(6, SqlTime.utc(now));
                insert.setObject(7, SqlTime.utc(now));
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    inserted = keys.getLong(1);
                }
            }
            int offered = offerWave(c, inserted, firmware.id(), profile, 0, waves.get(0), now);
            audit.append(c, actor, "firmware.rollout", profile, null, "rollout " + inserted + " version " + version
                    + " waves " + waves + " max-failures " + maxFailures + (haltOnAnomaly ? " halt-on-anomaly" : "")
                    + "; wave 1 offered to " + offered + " devices" + (force ? " (forced)" : ""));
            return inserted;
        });
        return status(id);
    }

    private static long highestSequenceRolledOut(Connection c, String profile, FirmwareManifest manifest)
            throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT MAX(f.sequence) FROM rollouts r JOIN firmware f"
                + " ON f.id = r.firmware_id WHERE r.profile = ? AND f.vendor = ? AND f.device_class = ?")) {
            query.setString(1, profile);
            query.setString(2, manifest.vendor());
            query.setString(3, manifest.deviceClass());
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                long max = rows.getLong(1);
                return rows.wasNull() ? -1 : max;
            }
        }
    }

    /** Offers the image to the profile's devices in this wave's share not yet in the rollout; returns how many. */
    private int offerWave(Connection c, long rolloutId, long firmwareId, String profile, int wave, int share,
            Instant now) throws SQLException {
        List<Long> devices = new ArrayList<>();
        try (PreparedStatement query = c.prepareStatement("SELECT d.id FROM devices d WHERE d.profile = ?"
                + " AND d.state <> 'DECOMMISSIONED' AND NOT EXISTS (SELECT 1 FROM firmware_assignments a"
                + " WHERE a.device_id = d.id AND a.rollout_id = ?) ORDER BY d.id")) {
            query.setString(1, profile);
            query.setLong(2, rolloutId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    if (bucket(rolloutId, rows.getLong(1)) < share) {
                        devices.add(rows.getLong(1));
                    }
                }
            }
        }
        String[] assignment = {"rollout_id", "firmware_id", "wave", "status", "assigned_at", "reported_at"};
        for (long device : devices) {
            dev.vigil.provisioning.store.Upsert.row(c, "firmware_assignments", "device_id", device, assignment, rolloutId,
                    firmwareId, wave, "OFFERED", SqlTime.utc(now), null);
        }
        return devices.size();
    }

    /** The image offered to this device now, if any (none once its rollout halted or was aborted). */
    public Optional<PublishedFirmware> offered(long deviceId) {
        Optional<Long> firmwareId = database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT a.firmware_id FROM firmware_assignments a"
                    + " JOIN rollouts r ON r.id = a.rollout_id WHERE a.device_id = ?"
                    + " AND (r.state IN ('RUNNING', 'PAUSED', 'DONE') OR a.status = 'SUCCEEDED')")) {
                query.setLong(1, deviceId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getLong(1)) : Optional.<Long>empty();
                }
            }
        });
        return firmwareId.flatMap(catalogue::find);
    }

    /**
     * A device's report (LwM2M object 5 states: downloading, downloaded, updating, idle; result 1 success,
     * 2..9 failure; its running version and image digest). Updates its assignment and the rollout, and tells
     * whether what it runs is a published image it should run.
     */
    public Report report(long deviceId, String device, String state, int result, String version, String digest) {
        Instant now = clock.instant();
        Optional<PublishedFirmware> assigned = offered(deviceId);
        boolean matches = assigned.map(f -> f.manifest().version().equals(version) && f.manifest().digestHex()
                .equalsIgnoreCase(String.valueOf(digest))).orElse(false);
        boolean tampered = digest != null && catalogue.list().stream().anyMatch(f -> f.manifest().version().equals(version)
                && !f.manifest().digestHex().equalsIgnoreCase(digest));
        boolean suspicious = tampered || (result == RESULT_SUCCESS && !matches);
        Long rolloutId = database.inTransaction(c -> {
            dev.vigil.provisioning.store.Upsert.row(c, "device_firmware", "device_id", deviceId,
                    new String[] {"version", "digest", "reported_at"}, version, digest, SqlTime.utc(now));
            String status = result == RESULT_SUCCESS && matches ? "SUCCEEDED" : result >= 2 ? "FAILED"
                    : state.toUpperCase(java.util.Locale.ROOT);
            try (PreparedStatement update = c.prepareStatement("UPDATE firmware_assignments SET status = ?,"
                    + " reported_at = ? WHERE device_id = ? AND status <> 'SUCCEEDED'")) {
                update.setString(1, status);
                update.setObject(2, SqlTime.utc(now));
                update.setLong(3, deviceId);
                update.executeUpdate();
            }
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT rollout_id FROM firmware_assignments WHERE device_id = ?")) {
                query.setLong(1, deviceId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? rows.getLong(1) : null;
                }
            }
        });
        running.put(deviceId, packed(version));
        if (rolloutId != null) {
            evaluate(rolloutId);
        }
        return new Report(deviceId, version, digest, suspicious);
    }

    /** Halts, advances or finishes a running rollout after what its devices reported. */
    public Rollout evaluate(long rolloutId) {
        Rollout r = status(rolloutId);
        if (r.state() != Rollout.State.RUNNING) {
            return r;
        }
        Instant now = clock.instant();
        String halt = null;
        if (r.assigned() > 0 && r.failed() > Math.floor(r.maxFailures() * r.assigned())) {
            halt = "wave " + (r.wave() + 1) + ": " + r.failed() + " of " + r.assigned() + " devices failed, above the "
                    + percent(r.maxFailures()) + " allowed";
        } else if (r.haltOnAnomaly()) {
            int[] lowered = loweredUpdatedVsNot(r);
            if (lowered[0] > lowered[1]) {
                halt = "the trust engine holds " + lowered[0] + " updated devices below TRUSTED, against " + lowered[1]
                        + " not yet updated";
            }
        }
        if (halt != null) {
            transition(r, Rollout.State.HALTED, halt, Actor.system("rollout " + r.id()));
            events.record("rollout-halted", r.profile(), "rollout " + r.id() + " of " + r.version() + ": " + halt);
            return status(rolloutId);
        }
        boolean waveDone = r.assigned() == 0 || r.succeeded() >= Math.ceil((1 - r.maxFailures()) * r.assigned());
        if (!waveDone) {
            return r;
        }
        if (r.wave() + 1 >= r.waves().size()) {
            transition(r, Rollout.State.DONE, "every wave done", Actor.system("rollout " + r.id()));
            return status(rolloutId);
        }
        database.inTransaction(c -> {
            int next = r.wave() + 1;
            int offered = offerWave(c, r.id(), r.firmwareId(), r.profile(), next, r.waves().get(next), now);
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE rollouts SET wave = ?, updated_at = ? WHERE id = ?")) {
                update.setInt(1, next);
                update.setObject(2, SqlTime.utc(now));
                update.setLong(3, r.id());
                update.executeUpdate();
            }
            audit.append(c, Actor.system("rollout " + r.id()), "firmware.rollout.wave", r.profile(), "wave " + (next)
                    + " done", "wave " + (next + 1) + " (" + r.waves().get(next) + " %) offered to " + offered
                    + " more devices");
            return null;
        });
        return evaluate(rolloutId); // an empty wave is done at once
    }

    /**
     * A device's tier changed: re-evaluates the running halt-on-anomaly rollouts of its profile, so a rollout
     * halts when updated devices are lowered after they reported, not only at the next report.
     */
    public void tierChanged(long deviceId) {
        if (tiers.apply(deviceId) == TrustTier.TRUSTED) {
            return; // a restored tier never halts anything
        }
        List<Long> watching = database.inTransaction(c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT r.id FROM rollouts r JOIN devices d"
                    + " ON d.profile = r.profile WHERE d.id = ? AND r.state = 'RUNNING' AND r.halt_on_anomaly")) {
                query.setLong(1, deviceId);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                    }
                }
            }
            return ids;
        });
        watching.forEach(this::evaluate);
    }

    /** Updated devices and devices not yet updated that the trust engine holds below TRUSTED. */
    private int[] loweredUpdatedVsNot(Rollout r) {
        List<long[]> devices = database.inTransaction(c -> {
            List<long[]> found = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT d.id, CASE WHEN a.status = 'SUCCEEDED'"
                    + " AND a.rollout_id = ? THEN 1 ELSE 0 END FROM devices d LEFT JOIN firmware_assignments a"
                    + " ON a.device_id = d.id WHERE d.profile = ? AND d.state <> 'DECOMMISSIONED'")) {
                query.setLong(1, r.id());
                query.setString(2, r.profile());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        found.add(new long[] {rows.getLong(1), rows.getLong(2)});
                    }
                }
            }
            return found;
        });
        int[] lowered = new int[2];
        for (long[] device : devices) {
            if (tiers.apply(device[0]) != TrustTier.TRUSTED) {
                lowered[device[1] == 1 ? 0 : 1]++;
            }
        }
        return lowered;
    }

    /** Pauses (no new wave starts), resumes, or aborts (nobody new is offered the image) a rollout. Audited. */
    public Rollout control(long rolloutId, String verb, Actor actor) {
        Rollout r = status(rolloutId);
        Rollout.State next = switch (verb) {
            case "pause" -> r.state() == Rollout.State.RUNNING ? Rollout.State.PAUSED : null;
            case "resume" -> r.state() == Rollout.State.PAUSED || r.state() == Rollout.State.HALTED
                    ? Rollout.State.RUNNING : null;
            case "abort" -> r.state() == Rollout.State.DONE || r.state() == Rollout.State.ABORTED ? null
                    : Rollout.State.ABORTED;
            default -> throw new IllegalArgumentException("pause, resume or abort, not " + verb);
        };
        if (next == null) {
            throw Refusal.conflict("rollout " + rolloutId + " is " + r.state() + ": cannot " + verb + " it");
        }
        transition(r, next, verb + "d by an operator", actor);
        return next == Rollout.State.RUNNING ? evaluate(rolloutId) : status(rolloutId);
    }

    private void transition(Rollout r, Rollout.State state, String reason, Actor actor) {
        database.inTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE rollouts SET state = ?, reason = ?, updated_at = ? WHERE id = ?")) {
                update.setString(1, state.name());
                update.setString(2, reason);
                update.setObject(3, SqlTime.utc(clock.instant()));
                update.setLong(4, r.id());
                update.executeUpdate();
            }
            audit.append(c, actor, "firmware.rollout." + state.name().toLowerCase(java.util.Locale.ROOT), r.profile(),
                    "rollout " + r.id() + " " + r.state(), "rollout " + r.id() + " " + state + ": " + reason);
            return null;
        });
    }

    /** A rollout with the counts of its current wave. */
    public Rollout status(long rolloutId) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT r.id, r.firmware_id, f.version, r.profile,"
                    + " r.waves, r.wave, r.state, r.max_failures, r.halt_on_anomaly, r.reason, r.started_at,"
                    + " r.updated_at FROM rollouts r JOIN firmware f ON f.id = r.firmware_id WHERE r.id = ?")) {
                query.setLong(1, rolloutId);
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        throw Refusal.notFound("no rollout " + rolloutId);
                    }
                    int wave = rows.getInt(6);
                    int[] counts = counts(c, rolloutId, wave);
                    return new Rollout(rows.getLong(1), rows.getLong(2), rows.getString(3), rows.getString(4),
                            Arrays.stream(rows.getString(5).split(",")).map(Integer::valueOf).toList(), wave,
                            Rollout.State.valueOf(rows.getString(7)), rows.getDouble(8), rows.getBoolean(9),
                            rows.getString(10), SqlTime.instant(rows, 11), SqlTime.instant(rows, 12), counts[0],
                            counts[1], counts[2]);
                }
            }
        });
    }

    /** The newest rollout, of a version if one is given. */
    public Optional<Rollout> latest(String version) {
        Optional<Long> id = database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT r.id FROM rollouts r JOIN firmware f"
                    + " ON f.id = r.firmware_id WHERE ? IS NULL OR f.version = ? ORDER BY r.id DESC LIMIT 1")) {
                query.setString(1, version);
                query.setString(2, version);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getLong(1)) : Optional.<Long>empty();
                }
            }
        });
        return id.map(this::status);
    }

    /** The devices offered the image by wave {@code wave} or earlier, by id. */
    public List<Long> offeredDevices(long rolloutId) {
        return database.inTransaction(c -> {
            List<Long> devices = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT device_id FROM firmware_assignments WHERE rollout_id = ? ORDER BY device_id")) {
                query.setLong(1, rolloutId);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        devices.add(rows.getLong(1));
                    }
                }
            }
            return devices;
        });
    }

    private static int[] counts(Connection c, long rolloutId, int wave) throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT COUNT(*), SUM(CASE WHEN status = 'SUCCEEDED' THEN 1"
                + " ELSE 0 END), SUM(CASE WHEN status = 'FAILED' THEN 1 ELSE 0 END) FROM firmware_assignments"
                + " WHERE rollout_id = ? AND wave = ?")) {
            query.setLong(1, rolloutId);
            query.setInt(2, wave);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return new int[] {rows.getInt(1), rows.getInt(2), rows.getInt(3)};
            }
        }
    }

    private static long packed(String version) {
        try {
            return FirmwareVersion.parse(version);
        } catch (IllegalArgumentException e) {
            return FirmwareVersion.UNKNOWN;
        }
    }

    static String percent(double share) {
        return String.format(java.util.Locale.ROOT, "%.4g %%", share * 100).replaceAll("\\.?0+ %", " %");
    }
}
