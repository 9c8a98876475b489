package dev.vigil.provisioning.cluster;

import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.operators.PolicyStore;
import dev.vigil.provisioning.policy.PolicyDocuments;
import dev.vigil.provisioning.policy.PolicyDocumentException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Applies one change of the feed to this node: reads what the change's subject is now (not what it was: the
 * newest state wins, and applying a change twice does no harm), forgets what the caches held, and cuts the live
 * sessions this node holds for a principal that may no longer hold one — as the node that made the change does.
 */
public final class ChangeApplier implements Consumer<Change> {

    private final Registry registry;
    private final Consumer<Collection<String>> cut;

    /** @param cut cuts the live sessions of these key ids on this node ({@code SessionControl#terminate}) */
    public ChangeApplier(Registry registry, Consumer<Collection<String>> cut) {
        this.registry = registry;
        this.cut = cut;
    }

    @Override
    public void accept(Change change) {
        switch (change.kind()) {
            case DEVICE -> device(change.subject());
            case OPERATOR -> operator(change.subject());
            case POLICY -> policy();
            case TRUST -> {
                device(change.subject());
                registry.trust().follow(change.subject(), released(change.seq()));
            }
            case EVERYTHING -> everything();
            default -> throw new IllegalStateException("unknown change kind " + change.kind());
        }
    }

    private record KeyRow(long deviceId, DeviceState deviceState, String keyId, String keyState) {
    }

    /** Forgets the device's cached keys; cuts sessions of a suspended or decommissioned device and revoked keys. */
    private void device(String name) {
        List<KeyRow> keys = registry.database().inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT d.id, d.state, k.key_id, k.state FROM devices d"
                    + " JOIN device_keys k ON k.device_id = d.id WHERE d.name = ?")) {
                query.setString(1, name);
                List<KeyRow> rows = new ArrayList<>();
                try (ResultSet r = query.executeQuery()) {
                    while (r.next()) {
                        rows.add(new KeyRow(r.getLong(1), DeviceState.valueOf(r.getString(2)), r.getString(3),
                                r.getString(4)));
                    }
                }
                return rows;
            }
        });
        List<String> refused = new ArrayList<>();
        for (KeyRow key : keys) {
            registry.devices().invalidate(key.keyId());
            if (key.deviceState() == DeviceState.SUSPENDED || key.deviceState() == DeviceState.DECOMMISSIONED
                    || key.keyState().equals("REVOKED")) {
                refused.add(key.keyId());
            }
        }
        if (!refused.isEmpty()) {
            cut.accept(refused);
        }
        if (!keys.isEmpty() && keys.get(0).deviceState() == DeviceState.DECOMMISSIONED) {
            registry.policy().forgetDevice(keys.get(0).deviceId());
            registry.trust().forget(keys.get(0).deviceId());
        }
    }

    /**
     * Forgets the cached entries of every key the operator holds or held (a role change, a rotation, a removal);
     * cuts the sessions of a key that is no longer its current one, or of every key once it is removed.
     */
    private void operator(String name) {
        List<String[]> rows = registry.database().inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT k.key_id, k.state, o.removed_at FROM operators o"
                    + " JOIN operator_keys k ON k.operator_id = o.id WHERE o.name = ?")) {
                query.setString(1, name);
                List<String[]> found = new ArrayList<>();
                try (ResultSet r = query.executeQuery()) {
                    while (r.next()) {
                        boolean gone = r.getObject(3) != null || !"ACTIVE".equals(r.getString(2));
                        found.add(new String[] {r.getString(1), gone ? "gone" : null});
                    }
                }
                return found;
            }
        });
        for (String[] row : rows) {
            registry.operators().invalidate(row[0]);
            if (row[1] != null) {
                cut.accept(List.of(row[0]));
            }
        }
    }

    /** Whether the change numbered {@code seq} was an operator's release (its audit record's action). */
    private boolean released(long seq) {
        return registry.database().inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT action FROM audit_log WHERE seq = ?")) {
                query.setLong(1, seq);
                try (ResultSet r = query.executeQuery()) {
                    return r.next() && "device.trust.release".equals(r.getString(1));
                }
            }
        });
    }

    /**
     * Changes this node had not applied were pruned: it forgets every cache (the next look-up of each key reads the
     * registry), puts the newest policy in force, takes every stored trust tier, and cuts the sessions of every key
     * the registry no longer allows — suspended or decommissioned devices, revoked keys, removed operators.
     */
    private void everything() {
        registry.devices().invalidateAll();
        registry.operators().invalidateAll();
        policy();
        registry.trust().followAll();
        List<String> refused = registry.database().inTransaction(c -> {
            List<String> keys = new ArrayList<>();
            for (String sql : new String[] {"SELECT k.key_id FROM device_keys k JOIN devices d ON d.id = k.device_id"
                    + " WHERE d.state IN ('SUSPENDED', 'DECOMMISSIONED') OR k.state = 'REVOKED'",
                "SELECT k.key_id FROM operator_keys k JOIN operators o ON o.id = k.operator_id"
                    + " WHERE o.removed_at IS NOT NULL OR k.state <> 'ACTIVE'"}) {
                try (PreparedStatement query = c.prepareStatement(sql); ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        keys.add(rows.getString(1));
                    }
                }
            }
            return keys;
        });
        if (!refused.isEmpty()) {
            cut.accept(refused);
        }
    }

    /** Puts the newest stored policy in force here if it is newer than the one this node runs. */
    private void policy() {
        PolicyStore.Stored stored = registry.policies().current();
        if (stored.version() <= registry.policy().version()) {
            return;
        }
        try {
            registry.policy().apply(PolicyDocuments.compile(stored.document(), stored.version()));
        } catch (PolicyDocumentException e) {
            throw new IllegalStateException("policy version " + stored.version() + " does not compile here", e);
        }
    }
}
