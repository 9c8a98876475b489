package dev.vigil.provisioning.gateways;

import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.store.SqlTime;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pre-shared keys of asserted-proxy children (table {@code psk_children}), which authenticate to their gateway
 * only. A key is 32 random bytes written as 43 base64url characters: those ASCII characters are the PSK itself,
 * because libcoap's {@code coap-client -k KEY} takes the key as text. Its identity is the child's name. Sealed by
 * {@link SecretSeal} at rest; opened only for the child list its gateway pulls.
 */
public final class PskKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private volatile SecretSeal seal;

    PskKeys(Database database) {
        this.database = database;
    }

    /** Gives the registry the key that seals PSKs; without one, no PSK child can be added. */
    public void sealWith(SecretSeal seal) {
        this.seal = seal;
    }

    /** Makes and stores a new PSK for the child {@code childId}, inside the caller's transaction. */
    PskMaterial create(Connection c, long childId, String name) throws SQLException {
        SecretSeal sealing = seal;
        if (sealing == null) {
            throw Refusal.conflict("this node has no key to seal PSKs with: PSK children cannot be added");
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        byte[] key = Base64.getUrlEncoder().withoutPadding().encodeToString(random).getBytes(StandardCharsets.US_ASCII);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO psk_children (child_id, sealed_key, created_at)"
                + " VALUES (?, ?, ?)")) {
            insert.setLong(1, childId);
            insert.setString(2, sealing.seal(key, name));
            insert.setObject(3, SqlTime.utc(Instant.now()));
            insert.executeUpdate();
        }
        return new PskMaterial(name, key);
    }

    /**
     * The PSKs of the proxy children of the gateway {@code gatewayName}, by child name (= PSK identity). A key that
     * does not open with this node's seal is left out (that child cannot authenticate until it does).
     */
    public Map<String, byte[]> ofGateway(String gatewayName) {
        SecretSeal sealing = seal;
        Map<String, byte[]> keys = new LinkedHashMap<>();
        if (sealing == null) {
            return keys;
        }
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT d.name, s.sealed_key FROM psk_children s"
                    + " JOIN devices d ON d.id = s.child_id JOIN gateway_children g ON g.child_id = d.id"
                    + " JOIN devices p ON p.id = g.gateway_id WHERE p.name = ? AND g.mode = ? ORDER BY d.name")) {
                query.setString(1, gatewayName);
                query.setString(2, ChildMode.PROXY.id());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        try {
                            keys.put(rows.getString(1), sealing.open(rows.getString(2), rows.getString(1)));
                        } catch (IllegalStateException e) {
                            // sealed with another node's key: not served
                        }
                    }
                }
            }
            return keys;
        });
    }
}
