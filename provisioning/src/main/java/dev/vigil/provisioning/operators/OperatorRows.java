package dev.vigil.provisioning.operators;

import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.store.SqlTime;
import dev.vigil.provisioning.store.UniqueKeys;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Statements on the {@code operators} table, in the caller's transaction; the rules are {@link OperatorRegistry}'s. */
final class OperatorRows {

    private OperatorRows() {
    }

    /** A removed operator's row, kept as a tombstone until its name is added again. */
    record Removed(long id, String keyId, String role) {
    }

    static Optional<Removed> removed(Connection c, String name) throws SQLException {
        try (PreparedStatement query = c.prepareStatement(
                "SELECT id, key_id, role FROM operators WHERE name = ? AND removed_at IS NOT NULL FOR UPDATE")) {
            query.setString(1, name);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(new Removed(rows.getLong(1), rows.getString(2), rows.getString(3)))
                        : Optional.empty();
            }
        }
    }

    static long revive(Connection c, long id, PublicKey key, String role, Instant now)
            throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE operators SET key_id = ?, public_key = ?, role = ?,"
                + " created_at = ?, removed_at = NULL WHERE id = ?")) {
            update.setString(1, KeyIds.of(key));
            update.setBytes(2, key.getEncoded());
            update.setString(3, role);
            update.setObject(4, SqlTime.utc(now));
            update.setLong(5, id);
            update.executeUpdate();
        }
        return id;
    }

    static long insert(Connection c, String name, PublicKey key, String role, Instant now)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO operators (name, key_id, public_key, role, created_at) VALUES (?, ?, ?, ?, ?)",
                new String[] {"id"})) {
            insert.setString(1, name);
            insert.setString(2, KeyIds.of(key));
            insert.setBytes(3, key.getEncoded());
            insert.setString(4, role);
            insert.setObject(5, SqlTime.utc(now));
            UniqueKeys.executeUpdate(c, insert);
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** The current operator named {@code name}, its row locked for the caller's transaction; NOT_FOUND if none. */
    static Operator locked(Connection c, String name) throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT id, name, key_id, role, created_at FROM operators"
                + " WHERE name = ? AND removed_at IS NULL FOR UPDATE")) {
            query.setString(1, name);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw Refusal.notFound("no operator named '" + name + "'");
                }
                return operator(rows);
            }
        }
    }

    /** The current operators, by name, read in the caller's transaction. */
    static List<Operator> current(Connection c) throws SQLException {
        List<Operator> operators = new ArrayList<>();
        try (PreparedStatement query = c.prepareStatement("SELECT id, name, key_id, role, created_at FROM operators"
                + " WHERE removed_at IS NULL ORDER BY name");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                operators.add(operator(rows));
            }
        }
        return operators;
    }

    static Operator operator(ResultSet rows) throws SQLException {
        return new Operator(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4),
                SqlTime.instant(rows, 5));
    }
}
