package dev.vigil.provisioning.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.audit.AuditLog;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.operators.Operator;
import dev.vigil.provisioning.operators.OperatorRegistry;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry made before operator key history (schema 9) keeps naming its operators after the upgrade: a current
 * operator's key is its current key, a removed operator's key shows "(removed)" and stays refused when the name is
 * added again.
 */
class OperatorKeysMigrationTest {

    @TempDir
    Path dir;

    @Test
    void operators_of_an_older_registry_are_named_by_key_after_the_upgrade() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("old") + ";WRITE_DELAY=0";
        Flyway.configure(getClass().getClassLoader()).dataSource(url, "vigil", "")
                .locations(Dialect.H2.migrationLocations()).target("9").load().migrate();
        KeyPair alice = PemFiles.generateP256();
        KeyPair bob = PemFiles.generateP256();
        try (Connection c = DriverManager.getConnection(url, "vigil", "")) {
            insert(c, "alice", alice, null);
            insert(c, "bob", bob, OffsetDateTime.now(ZoneOffset.UTC));
        }

        try (Database database = Database.open(url, "vigil", "")) {
            OperatorRegistry operators = new OperatorRegistry(database, new AuditLog(database));
            String aliceId = KeyIds.of(alice.getPublic());
            String bobId = KeyIds.of(bob.getPublic());
            assertThat(operators.labels().label(aliceId)).isEqualTo("alice (" + aliceId + ")");
            assertThat(operators.labels().label(bobId)).isEqualTo("bob (" + bobId + ") (removed)");

            KeyPair bobAgain = PemFiles.generateP256();
            operators.add("bob", bobAgain.getPublic(), "auditor", Actor.system("test"));

            assertThat(operators.findByKeyId(bobId)).isEmpty();
            assertThat(operators.findByKeyId(KeyIds.of(bobAgain.getPublic()))).get()
                    .extracting(Operator::name, Operator::role).containsExactly("bob", "auditor");
            assertThat(operators.labels().label(bobId)).isEqualTo("bob (" + bobId + ") (removed)");
            assertThat(operators.list()).extracting(Operator::name).containsExactly("alice", "bob");
        }
    }

    private static void insert(Connection c, String name, KeyPair key, OffsetDateTime removedAt) throws Exception {
        String keyId = KeyIds.of(key.getPublic());
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO operators (name, key_id, public_key, role,"
                + " created_at, removed_at) VALUES (?, ?, ?, 'admin', ?, ?)")) {
            insert.setString(1, name);
            insert.setString(2, keyId);
            insert.setBytes(3, key.getPublic().getEncoded());
            insert.setObject(4, OffsetDateTime.now(ZoneOffset.UTC));
            insert.setObject(5, removedAt);
            insert.executeUpdate();
        }
        try (PreparedStatement claim = c.prepareStatement("INSERT INTO principal_keys (key_id, kind) VALUES (?, 'operator')")) {
            claim.setString(1, keyId);
            claim.executeUpdate();
        }
    }
}
