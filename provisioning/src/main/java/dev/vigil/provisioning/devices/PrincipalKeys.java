package dev.vigil.provisioning.devices;

import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.store.UniqueKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.Optional;

/**
 * One key, one principal: every key a device, an operator or the node itself holds or ever held is
 * claimed here, in the transaction that registers it, and the table's primary key refuses a second claim.
 * Claims are never released, so a tombstoned key can never come back as another principal either.
 */
public final class PrincipalKeys {

    /** Who may hold a key. */
    public enum Kind {
        DEVICE, OPERATOR, NODE, FIRMWARE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Who holds a key of this kind, in a sentence. */
        String who() {
            return switch (this) {
                case DEVICE -> "a device";
                case OPERATOR -> "an operator";
                case NODE -> "this node (server or audit key)";
                case FIRMWARE -> "a firmware signer";
            };
        }
    }

    private PrincipalKeys() {
    }

    /** Claims {@code keyId} for a principal of {@code kind}, or refuses (CONFLICT) naming who holds it. */
    public static void claim(Connection c, String keyId, Kind kind) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO principal_keys (key_id, kind) VALUES (?, ?)")) {
            insert.setString(1, keyId);
            insert.setString(2, kind.label());
            UniqueKeys.executeUpdate(c, insert);
        } catch (SQLIntegrityConstraintViolationException e) {
            throw conflict(c, keyId, kind);
        }
    }

    /** Claims the key for a node (server or audit key) unless it is claimed for one already. */
    public static void claimForNode(Connection c, String keyId) throws SQLException {
        if (holder(c, keyId).filter(kind -> kind == Kind.NODE).isEmpty()) {
            claim(c, keyId, Kind.NODE);
        }
    }

    /** The kind of principal that holds or held {@code keyId}, if any. */
    public static Optional<Kind> holder(Connection c, String keyId) throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT kind FROM principal_keys WHERE key_id = ?")) {
            query.setString(1, keyId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(Kind.valueOf(rows.getString(1).toUpperCase(java.util.Locale.ROOT)))
                        : Optional.empty();
            }
        }
    }

    private static Refusal conflict(Connection c, String keyId, Kind wanted) throws SQLException {
        Kind held = holder(c, keyId).orElse(wanted);
        if (held == wanted && wanted == Kind.DEVICE) {
            return DeviceRows.keyConflict(c, keyId);
        }
        if (held == wanted) {
            return Refusal.conflict("key " + keyId + " belongs or belonged to " + held.who());
        }
        return Refusal.conflict("key " + keyId + " belongs or belonged to " + held.who() + "; one key is one principal,"
                + " so it cannot also be " + wanted.who() + "'s");
    }
}
