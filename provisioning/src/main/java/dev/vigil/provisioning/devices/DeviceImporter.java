package dev.vigil.provisioning.devices;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.store.SqlTime;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Zero-touch onboarding: imports a manufacturer manifest as PROVISIONED devices, whose first handshake
 * activates them. All or nothing per manifest: one transaction, written in JDBC batches, refused whole
 * if any name or key is already taken.
 */
public final class DeviceImporter {

    public static final int BATCH = 1000;

    private final DeviceRegistry registry;
    private final ProfileRules profiles;

    public DeviceImporter(DeviceRegistry registry, ProfileRules profiles) {
        this.registry = registry;
        this.profiles = profiles;
    }

    /**
     * @param progress told the number of rows written after each batch
     * @return the number of devices imported
     */
    public int importAll(List<ManifestRow> rows, String source, Actor actor, IntConsumer progress) {
        for (ManifestRow row : rows) {
            if (!profiles.exists(row.profile())) {
                throw Refusal.invalid("device '" + row.name() + "': no profile named '" + row.profile()
                        + "' in the policy in force");
            }
            String refusal = row.publicKey() == null ? null : registry.keyAlgorithms().refusalOf(row.publicKey());
            if (refusal != null) {
                throw Refusal.invalid("device '" + row.name() + "': " + refusal + "; nothing imported");
            }
        }
        Instant now = Instant.now();
        return registry.database().inTransaction(c -> {
            refuseTaken(c, rows);
            try (PreparedStatement devices = c.prepareStatement("INSERT INTO devices (name, profile, state,"
                    + " created_at, updated_at) VALUES (?, ?, 'PROVISIONED', ?, ?)");
                    PreparedStatement keys = c.prepareStatement("INSERT INTO device_keys (key_id, device_id,"
                            + " public_key, state, created_at, updated_at) SELECT ?, id, ?, 'ACTIVE', ?, ? FROM devices"
                            + " WHERE name = ?");
                    PreparedStatement claims = c.prepareStatement(
                            "INSERT INTO principal_keys (key_id, kind) VALUES (?, 'device')")) {
                for (int start = 0; start < rows.size(); start += BATCH) {
                    List<ManifestRow> batch = rows.subList(start, Math.min(rows.size(), start + BATCH));
                    for (ManifestRow row : batch) {
                        devices.setString(1, row.name());
                        devices.setString(2, row.profile());
                        devices.setObject(3, SqlTime.utc(now));
                        devices.setObject(4, SqlTime.utc(now));
                        devices.addBatch();
                    }
                    devices.executeBatch();
                    for (ManifestRow row : batch) {
                        claims.setString(1, row.keyId());
                        claims.addBatch();
                        keys.setString(1, row.keyId());
                        keys.setBytes(2, row.publicKey());
                        keys.setObject(3, SqlTime.utc(now));
                        keys.setObject(4, SqlTime.utc(now));
                        keys.setString(5, row.name());
                        keys.addBatch();
                    }
                    claims.executeBatch();
                    keys.executeBatch();
                    progress.accept(start + batch.size());
                }
            }
            registry.audit().append(c, actor, "device.import", source, null, rows.size()
                    + " devices PROVISIONED, first " + rows.get(0).name() + ", last " + rows.get(rows.size() - 1).name());
            return rows.size();
        });
    }

    /** Refuses the whole manifest if any of its names or keys is registered (or tombstoned) already. */
    private static void refuseTaken(java.sql.Connection c, List<ManifestRow> rows) throws java.sql.SQLException {
        List<String> taken = new ArrayList<>();
        try (PreparedStatement names = c.prepareStatement("SELECT name FROM devices WHERE name = ?");
                PreparedStatement keys = c.prepareStatement("SELECT kind FROM principal_keys WHERE key_id = ?")) {
            for (ManifestRow row : rows) {
                names.setString(1, row.name());
                try (ResultSet found = names.executeQuery()) {
                    if (found.next()) {
                        taken.add("device name '" + row.name() + "' is already registered");
                    }
                }
                keys.setString(1, row.keyId());
                try (ResultSet found = keys.executeQuery()) {
                    if (found.next()) {
                        String kind = found.getString(1);
                        taken.add("key of '" + row.name() + "' is already registered" + ("device".equals(kind) ? ""
                                : " (to " + ("operator".equals(kind) ? "an operator" : "this node") + ")"));
                    }
                }
                if (taken.size() >= 5) {
                    break;
                }
            }
        }
        if (!taken.isEmpty()) {
            throw Refusal.conflict("manifest refused, nothing imported: " + String.join("; ", taken)
                    + (taken.size() >= 5 ? "; ..." : ""));
        }
    }
}
