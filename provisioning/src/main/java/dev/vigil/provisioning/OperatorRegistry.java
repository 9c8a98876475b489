package dev.vigil.provisioning;

import dev.vigil.provisioning.audit.AuditLog;

import dev.vigil.policy.CompiledPolicy;
import java.security.PublicKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Operators and their keys. Only the keys of current (not removed) operators may complete a handshake
 * with the management endpoint. A removed operator's name and key stay as tombstones.
 */
public final class OperatorRegistry {

    private final Database database;
    private final AuditLog audit;
    private final DirectoryCache<Operator> cache;

    public OperatorRegistry(Database database, AuditLog audit) {
        this.database = database;
        this.audit = audit;
        this.cache = new DirectoryCache<>(keyId -> database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT id, name, key_id, role, created_at FROM operators"
                    + " WHERE key_id = ? AND removed_at IS NULL")) {
                query.setString(1, keyId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(operator(rows)) : Optional.<Operator>empty();
                }
            }
        }));
    }

    public Operator add(String name, PublicKey key, String role, Actor actor) {
        Names.require("operator name", name);
        Names.require("role", role);
        String keyId = KeyIds.of(key);
        Instant now = Instant.now();
        long id;
        try {
            id = database.inTransaction(c -> insert(c, name, key, role, actor, now));
        } catch (RegistryException e) {
            if (e.getCause() instanceof SQLIntegrityConstraintViolationException violation) {
                throw violation.getMessage().toUpperCase().contains("OPERATORS_NAME_UNIQUE")
                        ? Refusal.conflict("an operator named '" + name + "' exists or existed")
                        : Refusal.conflict("key " + keyId + " belongs or belonged to an operator");
            }
            throw e;
        }
        cache.invalidate(keyId);
        return new Operator(id, name, keyId, role, now);
    }

    /** Adds an operator in the caller's transaction (claiming its key); returns its id. */
    long insert(java.sql.Connection c, String name, PublicKey key, String role, Actor actor, Instant now)
            throws java.sql.SQLException {
        String keyId = KeyIds.of(key);
        PrincipalKeys.claim(c, keyId, PrincipalKeys.Kind.OPERATOR);
        long generated;
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO operators (name, key_id, public_key, role, created_at) VALUES (?, ?, ?, ?, ?)",
                new String[] {"id"})) {
            insert.setString(1, name);
            insert.setString(2, keyId);
            insert.setBytes(3, key.getEncoded());
            insert.setString(4, role);
            insert.setObject(5, SqlTime.utc(now));
            UniqueKeys.executeUpdate(c, insert);
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                generated = keys.getLong(1);
            }
        }
        audit.append(c, actor, "operator.add", name, null, "role=" + role + " key=" + keyId);
        return generated;
    }

    /** Forgets the cached entry of {@code keyId} (after a commit that changed it). */
    public void invalidate(String keyId) {
        cache.invalidate(keyId);
    }

    /**
     * Removes an operator; returns its key id so its live session can be cut. Refused if afterwards no
     * current operator could govern under {@code policy} ({@link Governance}).
     */
    public String remove(String name, Actor actor, CompiledPolicy policy) {
        String keyId = database.inTransaction(c -> {
            AuditLog.lockChain(c);
            String id;
            String role;
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT key_id, role FROM operators WHERE name = ? AND removed_at IS NULL FOR UPDATE")) {
                query.setString(1, name);
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        throw Refusal.notFound("no operator named '" + name + "'");
                    }
                    id = rows.getString(1);
                    role = rows.getString(2);
                }
            }
            if (actor.id().equals(id)) {
                throw Refusal.invalid("an operator cannot remove itself");
            }
            Governance.require(policy, current(c).stream().filter(op -> !op.name().equals(name)).toList(),
                    "removing operator '" + name + "'");
            try (PreparedStatement update = c.prepareStatement("UPDATE operators SET removed_at = ? WHERE name = ?")) {
                update.setObject(1, SqlTime.utc(Instant.now()));
                update.setString(2, name);
                update.executeUpdate();
            }
            audit.append(c, actor, "operator.remove", name, "role=" + role + " key=" + id, "removed");
            return id;
        });
        cache.invalidate(keyId);
        return keyId;
    }

    public List<Operator> list() {
        return database.inTransaction(OperatorRegistry::current);
    }

    /** The current operators, by name, read in the caller's transaction. */
    static List<Operator> current(java.sql.Connection c) throws java.sql.SQLException {
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

    /** The current operator holding this key, if any. */
    public Optional<Operator> findByKeyId(String keyId) {
        return cache.get(keyId);
    }

    private static Operator operator(ResultSet rows) throws java.sql.SQLException {
        return new Operator(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4),
                SqlTime.instant(rows, 5));
    }
}
