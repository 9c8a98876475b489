package dev.vigil.provisioning;

import java.security.PublicKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Operators and their keys. Only these keys may complete a handshake with the management endpoint. */
public final class OperatorRegistry {

    private final Database database;
    private final Map<String, Operator> byKeyId = new ConcurrentHashMap<>();

    public OperatorRegistry(Database database) {
        this.database = database;
    }

    public Operator add(String name, PublicKey key, String role) throws DuplicateException {
        Names.require("operator name", name);
        Names.require("role", role);
        String keyId = KeyIds.of(key);
        Instant now = Instant.now();
        try {
            database.inTransaction(c -> {
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO operators (name, key_id, public_key, role, created_at) VALUES (?, ?, ?, ?, ?)")) {
                    insert.setString(1, name);
                    insert.setString(2, keyId);
                    insert.setBytes(3, key.getEncoded());
                    insert.setString(4, role);
                    insert.setObject(5, DeviceRegistry.utc(now));
                    return insert.executeUpdate();
                }
            });
        } catch (RegistryException e) {
            if (e.getCause() instanceof SQLIntegrityConstraintViolationException violation) {
                throw violation.getMessage().toUpperCase().contains("OPERATORS_NAME_UNIQUE")
                        ? new DuplicateException("an operator named '" + name + "' already exists")
                        : new DuplicateException("key " + keyId + " already belongs to an operator");
            }
            throw e;
        }
        Operator operator = new Operator(name, keyId, role, now);
        byKeyId.put(keyId, operator);
        return operator;
    }

    public Optional<Operator> findByKeyId(String keyId) {
        Operator cached = byKeyId.get(keyId);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<Operator> loaded = database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT name, key_id, role, created_at FROM operators WHERE key_id = ?")) {
                query.setString(1, keyId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next()
                            ? Optional.of(new Operator(rows.getString(1), rows.getString(2), rows.getString(3),
                                    DeviceRegistry.instant(rows, 4)))
                            : Optional.<Operator>empty();
                }
            }
        });
        loaded.ifPresent(operator -> byKeyId.putIfAbsent(keyId, operator));
        return loaded;
    }
}
