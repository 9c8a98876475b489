package dev.vigil.provisioning.gateways;

import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.store.SqlTime;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * OSCORE children's security contexts (table {@code oscore_contexts}): made at registration (a fresh 16-byte
 * master secret, 8-byte salt and 6-byte child sender id), the secret sealed by {@link SecretSeal}; found by kid;
 * and the replay floor, raised as requests are accepted, that survives a restart.
 */
public final class OscoreContexts {

    /** The server's sender id in every child's context (each context has its own master secret). */
    static final byte[] SERVER_ID = {0x00};
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private volatile SecretSeal seal;

    OscoreContexts(Database database) {
        this.database = database;
    }

    /** Gives the registry the key that seals master secrets; without one, no OSCORE child can be added. */
    public void sealWith(SecretSeal seal) {
        this.seal = seal;
    }

    /** Makes and stores a new context for the child {@code childId}, inside the caller's transaction. */
    OscoreMaterial create(Connection c, long childId, String name) throws SQLException {
        SecretSeal sealing = seal;
        if (sealing == null) {
            throw Refusal.conflict("this node has no key to seal OSCORE secrets with: OSCORE children cannot be added");
        }
        byte[] secret = random(16);
        byte[] salt = random(8);
        byte[] kid = random(6);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO oscore_contexts (child_id, recipient_id,"
                + " sender_id, sealed_secret, replay_floor, created_at) VALUES (?, ?, ?, ?, -1, ?)")) {
            insert.setLong(1, childId);
            insert.setString(2, HexFormat.of().formatHex(kid));
            insert.setString(3, HexFormat.of().formatHex(SERVER_ID));
            insert.setString(4, sealing.seal(ByteBuffer.allocate(24).put(secret).put(salt).array(), name));
            insert.setObject(5, SqlTime.utc(Instant.now()));
            insert.executeUpdate();
        }
        return new OscoreMaterial(name, secret, salt, kid, SERVER_ID.clone(), -1);
    }

    /** The context whose kid (the child's sender id, hex) is {@code kid}, if there is one and it opens. */
    public Optional<OscoreMaterial> byKid(String kid) {
        SecretSeal sealing = seal;
        if (sealing == null || !kid.matches("[0-9a-f]{2,14}")) {
            return Optional.empty();
        }
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT d.name, o.sealed_secret, o.sender_id,"
                    + " o.replay_floor FROM oscore_contexts o JOIN devices d ON d.id = o.child_id"
                    + " WHERE o.recipient_id = ?")) {
                query.setString(1, kid);
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.<OscoreMaterial>empty();
                    }
                    byte[] opened = sealing.open(rows.getString(2), rows.getString(1));
                    return Optional.of(new OscoreMaterial(rows.getString(1), java.util.Arrays.copyOf(opened, 16),
                            java.util.Arrays.copyOfRange(opened, 16, 24), HexFormat.of().parseHex(kid),
                            HexFormat.of().parseHex(rows.getString(3)), rows.getLong(4)));
                }
            }
        });
    }

    /** The name of the child whose kid is {@code kid}, if any (no secret is opened). */
    public Optional<String> childOf(String kid) {
        if (!kid.matches("[0-9a-f]{2,14}")) {
            return Optional.empty();
        }
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT d.name FROM oscore_contexts o"
                    + " JOIN devices d ON d.id = o.child_id WHERE o.recipient_id = ?")) {
                query.setString(1, kid);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /** The kid of the child named {@code child}, if it has an OSCORE context. */
    public Optional<String> kidOf(String child) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT o.recipient_id FROM oscore_contexts o"
                    + " JOIN devices d ON d.id = o.child_id WHERE d.name = ?")) {
                query.setString(1, child);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /** Records that the server accepted sequence number {@code sequence} from the child with {@code kid}. */
    public void accepted(String kid, long sequence) {
        database.inTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE oscore_contexts SET replay_floor = ?"
                    + " WHERE recipient_id = ? AND replay_floor < ?")) {
                update.setLong(1, sequence);
                update.setString(2, kid);
                update.setLong(3, sequence);
                return update.executeUpdate();
            }
        });
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
