package dev.vigil.provisioning.operators;

import dev.vigil.provisioning.keys.KeyState;
import dev.vigil.provisioning.store.SqlTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The history of operator keys ({@code operator_keys}): which operator holds or held each key, and whether it is
 * the operator's current key ({@link KeyState#ACTIVE}), was replaced by a rotation ({@link KeyState#RETIRED}) or
 * was revoked with the operator's removal ({@link KeyState#REVOKED}). Every statement runs in the caller's
 * transaction, next to the change of {@code operators} it records.
 */
final class OperatorKeys {

    private OperatorKeys() {
    }

    /** Records {@code keyId} as operator {@code operatorId}'s current key. */
    static void activate(Connection c, String keyId, long operatorId, Instant now) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO operator_keys (key_id, operator_id, state, added_at) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, keyId);
            insert.setLong(2, operatorId);
            insert.setString(3, KeyState.ACTIVE.name());
            insert.setObject(4, SqlTime.utc(now));
            insert.executeUpdate();
        }
    }

    /** Ends {@code keyId}: {@link KeyState#RETIRED} (rotated) or {@link KeyState#REVOKED} (operator removed). */
    static void end(Connection c, String keyId, KeyState state, Instant now) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE operator_keys SET state = ?, ended_at = ? WHERE key_id = ? AND state = ?")) {
            update.setString(1, state.name());
            update.setObject(2, SqlTime.utc(now));
            update.setString(3, keyId);
            update.setString(4, KeyState.ACTIVE.name());
            update.executeUpdate();
        }
    }

    /** The state of operator key {@code keyId}, if it is or was one. */
    static java.util.Optional<KeyState> state(Connection c, String keyId) throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT state FROM operator_keys WHERE key_id = ?")) {
            query.setString(1, keyId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? java.util.Optional.of(KeyState.valueOf(rows.getString(1)))
                        : java.util.Optional.empty();
            }
        }
    }

    /** Every operator key ever registered: key id to the operator's name and the key's state. */
    static Map<String, OperatorLabels.Holder> holders(Connection c) throws SQLException {
        Map<String, OperatorLabels.Holder> holders = new HashMap<>();
        try (PreparedStatement query = c.prepareStatement("SELECT k.key_id, o.name, k.state FROM operator_keys k"
                + " JOIN operators o ON o.id = k.operator_id");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                holders.put(rows.getString(1),
                        new OperatorLabels.Holder(rows.getString(2), KeyState.valueOf(rows.getString(3))));
            }
        }
        return holders;
    }
}
