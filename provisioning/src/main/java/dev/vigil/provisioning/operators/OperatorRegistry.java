package dev.vigil.provisioning.operators;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Names;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.RegistryException;
import dev.vigil.provisioning.audit.AuditLog;

import dev.vigil.policy.CompiledPolicy;
import dev.vigil.provisioning.devices.PrincipalKeys;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.KeyState;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.store.DirectoryCache;
import dev.vigil.provisioning.store.SqlTime;
import java.security.PublicKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Operators and their keys. Only the current key of a current (not removed) operator may complete a handshake
 * with the management endpoint. Every key an operator held stays claimed for good ({@link PrincipalKeys}) and in
 * its history ({@link OperatorKeys}); a removed operator's name may be added again, with a new key.
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
                    return rows.next() ? Optional.of(OperatorRows.operator(rows)) : Optional.<Operator>empty();
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
                        ? Refusal.conflict("an operator named '" + name + "' exists")
                        : Refusal.conflict("key " + keyId + " belongs or belonged to an operator");
            }
            throw e;
        }
        cache.invalidate(keyId);
        return new Operator(id, name, keyId, role, now);
    }

    /**
     * Adds an operator in the caller's transaction (claiming its key); returns its id. A removed operator's name
     * is added again on the same row with the new key and role; its old keys stay refused (claimed, not current).
     */
    long insert(java.sql.Connection c, String name, PublicKey key, String role, Actor actor, Instant now)
            throws java.sql.SQLException {
        String keyId = KeyIds.of(key);
        AuditLog.lockChain(c); // serialises adds, so two re-adds of one removed name cannot both revive it
        PrincipalKeys.claim(c, keyId, PrincipalKeys.Kind.OPERATOR);
        Optional<OperatorRows.Removed> removed = OperatorRows.removed(c, name);
        long id = removed.isPresent() ? OperatorRows.revive(c, removed.get().id(), key, role, now)
                : OperatorRows.insert(c, name, key, role, now);
        OperatorKeys.activate(c, keyId, id, now);
        audit.append(c, actor, "operator.add", name, removed.map(r -> "removed (role=" + r.role() + " key=" + r.keyId()
                + ")").orElse(null), "role=" + role + " key=" + keyId);
        return id;
    }

    /** Forgets every cached entry (the change feed lost track of what changed). */
    public void invalidateAll() {
        cache.invalidateAll();
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
            Governance.require(policy, OperatorRows.current(c).stream().filter(op -> !op.name().equals(name)).toList(),
                    "removing operator '" + name + "'");
            Instant now = Instant.now();
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE operators SET removed_at = ? WHERE name = ? AND removed_at IS NULL")) {
                update.setObject(1, SqlTime.utc(now));
                update.setString(2, name);
                update.executeUpdate();
            }
            OperatorKeys.end(c, id, KeyState.REVOKED, now);
            audit.append(c, actor, "operator.remove", name, "role=" + role + " key=" + id, "removed");
            return id;
        });
        cache.invalidate(keyId);
        return keyId;
    }

    /**
     * Gives operator {@code name} the role {@code role} of {@code policy}; returns false (nothing written or audited)
     * if it holds that role already. Refused if the role is unknown, or if afterwards no current operator could
     * govern ({@link Governance}). The operator's next request (its live session included) runs with the new role.
     */
    public boolean changeRole(String name, String role, Actor actor, CompiledPolicy policy) {
        if (!policy.roles().contains(role)) {
            throw Refusal.invalid("no role '" + role + "' in the policy in force (roles: "
                    + String.join(", ", new java.util.TreeSet<>(policy.roles())) + ")");
        }
        Operator changed = database.inTransaction(c -> {
            AuditLog.lockChain(c);
            Operator operator = OperatorRows.locked(c, name);
            if (operator.role().equals(role)) {
                return null;
            }
            Governance.require(policy, OperatorRows.current(c).stream().map(op -> op.name().equals(name) ? op.withRole(role) : op)
                    .toList(), "giving operator '" + name + "' role '" + role + "'");
            try (PreparedStatement update = c.prepareStatement("UPDATE operators SET role = ? WHERE id = ?")) {
                update.setString(1, role);
                update.setLong(2, operator.id());
                update.executeUpdate();
            }
            audit.append(c, actor, "operator.role", name, "role=" + operator.role(), "role=" + role);
            return operator;
        });
        if (changed == null) {
            return false;
        }
        cache.invalidate(changed.keyId());
        return true;
    }

    /** An operator's key replaced: the old one is refused from now on, the new one is the operator's. */
    public record KeyChange(String name, String oldKeyId, String newKeyId) {
    }

    /**
     * The caller replaces its own key with {@code newKey}, proving it holds the new private key with {@code proof}
     * ({@link OperatorKeyProof}): a signature by the new key over the caller's current key id and the new key.
     */
    public KeyChange rotateOwnKey(Operator caller, PublicKey newKey, byte[] proof) {
        OperatorKeyProof.verify(caller.keyId(), newKey, proof);
        return replaceKey(caller.name(), caller.keyId(), newKey, Actor.operator(caller), "operator.rotate-key", null);
    }

    /**
     * Replaces another operator's key with {@code newKey} (its holder proves nothing here, as with {@code add}).
     * The operator counts as unable to govern for the {@link Governance} check, since nobody proved to hold the new
     * key; an operator cannot replace its own key this way ({@link #rotateOwnKey} proves possession).
     */
    public KeyChange replaceKey(String name, PublicKey newKey, Actor actor, CompiledPolicy policy) {
        return replaceKey(name, null, newKey, actor, "operator.set-key", policy);
    }

    private KeyChange replaceKey(String name, String expectedKeyId, PublicKey newKey, Actor actor, String action,
            CompiledPolicy policy) {
        String newKeyId = KeyIds.of(newKey);
        KeyChange change = database.inTransaction(c -> {
            AuditLog.lockChain(c);
            Operator operator = OperatorRows.locked(c, name);
            if (expectedKeyId != null && !expectedKeyId.equals(operator.keyId())) {
                throw Refusal.conflict("operator '" + name + "' has another key by now; nothing changed");
            }
            if (policy != null) {
                if (actor.id().equals(operator.keyId())) {
                    throw Refusal.invalid("to replace your own key use 'vigil operator rotate-key --new-key FILE'"
                            + " (it proves you hold the new key)");
                }
                Governance.require(policy, OperatorRows.current(c).stream().filter(op -> !op.name().equals(name)).toList(),
                        "replacing operator '" + name + "''s key with one it has not proven to hold");
            }
            PrincipalKeys.claim(c, newKeyId, PrincipalKeys.Kind.OPERATOR);
            Instant now = Instant.now();
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE operators SET key_id = ?, public_key = ? WHERE id = ?")) {
                update.setString(1, newKeyId);
                update.setBytes(2, newKey.getEncoded());
                update.setLong(3, operator.id());
                update.executeUpdate();
            }
            OperatorKeys.end(c, operator.keyId(), KeyState.RETIRED, now);
            OperatorKeys.activate(c, newKeyId, operator.id(), now);
            audit.append(c, actor, action, name, "key=" + operator.keyId(), "key=" + newKeyId);
            return new KeyChange(name, operator.keyId(), newKeyId);
        });
        cache.invalidate(change.oldKeyId());
        cache.invalidate(newKeyId);
        return change;
    }

    /** Whether {@code keyId} was replaced by a rotation (rather than revoked with its operator): for refusals. */
    public boolean isRetiredKey(String keyId) {
        return database.inTransaction(c -> OperatorKeys.state(c, keyId)).filter(KeyState.RETIRED::equals).isPresent();
    }

    /** Names the operator behind each operator key id, current or not ({@link OperatorLabels}). */
    public OperatorLabels labels() {
        return new OperatorLabels(database.inTransaction(OperatorKeys::holders));
    }

    public List<Operator> list() {
        return database.inTransaction(OperatorRows::current);
    }

    /** The current operator holding this key, if any. */
    public Optional<Operator> findByKeyId(String keyId) {
        return cache.get(keyId);
    }

}
