package dev.vigil.provisioning.audit;

import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.Database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whoever can write the database but has not got the audit key cannot rewrite the chain unnoticed. */
class AuditAnchorsTest {

    @TempDir
    Path dir;
    private Database database;
    private AuditAnchors anchors;
    private AuditLog audit;

    @BeforeEach
    void open() {
        database = dev.vigil.provisioning.testdb.TestDatabases.open(dir);
        anchors = new AuditAnchors(database, PemFiles.generateP256(), dir.resolve("audit-anchor"), Clock.systemUTC());
        audit = new AuditLog(database, anchors);
        append(0, 20);
    }

    @AfterEach
    void close() {
        database.close();
    }

    private void append(int from, int to) {
        database.inTransaction(c -> {
            for (int i = from; i < to; i++) {
                audit.append(c, new Actor("ni:///sha-256;op"), "test.action", "target-" + i, null, "after " + i);
            }
            return null;
        });
    }

    /** What a database writer without the key can do: rewrite every record and recompute every hash. */
    private void rewriteWholeChain() {
        database.inTransaction(c -> {
            String prev = AuditLog.GENESIS;
            for (AuditLog.Entry e : audit.since(0, 1000)) {
                AuditLog.Entry forged = AuditLog.entry(e.seq(), e.at(), e.actor(), e.action(), e.target(), e.before(),
                        e.after().replace("after", "innocent"), prev);
                try (PreparedStatement update = c.prepareStatement(
                        "UPDATE audit_log SET after_state = ?, prev_hash = ?, hash = ? WHERE seq = ?")) {
                    update.setString(1, forged.after());
                    update.setString(2, prev);
                    update.setString(3, forged.hash());
                    update.setLong(4, e.seq());
                    update.executeUpdate();
                }
                prev = forged.hash();
            }
            try (PreparedStatement head = c.prepareStatement("UPDATE audit_head SET hash = ? WHERE id = 1")) {
                head.setString(1, prev);
                head.executeUpdate();
            }
            return null;
        });
    }

    @Test
    void a_chain_rewritten_end_to_end_verifies_without_an_anchor_but_not_with_one() {
        AuditAnchor anchor = anchors.anchor();
        assertThat(anchor.seq()).isEqualTo(20);
        assertThat(audit.verify().intact()).isTrue();
        assertThat(audit.verify().anchored()).isEqualTo(20);

        rewriteWholeChain();

        assertThat(new AuditLog(database).verify().intact()).as("the bare hash chain cannot tell").isTrue();
        AuditLog.Verification result = audit.verify();
        assertThat(result.intact()).isFalse();
        assertThat(result.breaks()).extracting(AuditLog.Break::problem).contains(
                "record 20 differs from the audit anchor in the database: the chain was rewritten",
                "record 20 differs from the audit anchor in " + dir.resolve("audit-anchor") + ": the chain was rewritten");
    }

    @Test
    void an_anchor_not_signed_by_the_audit_key_is_refused() {
        AuditLog other = new AuditLog(database, new AuditAnchors(database, PemFiles.generateP256(),
                dir.resolve("other-anchor"), Clock.systemUTC()));
        anchors.anchor();
        AuditLog.Verification result = other.verify();
        assertThat(result.problem()).isEqualTo("the audit anchor in the database (record 20) is not signed by this"
                + " node's audit key");
    }

    @Test
    void rolling_the_anchor_row_back_or_deleting_it_is_detected_by_the_copy_outside_the_database() throws Exception {
        anchors.anchor();
        String older = database.inTransaction(c -> {
            try (var q = c.prepareStatement("SELECT signature FROM audit_anchor"); var rows = q.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        });
        append(20, 30);
        anchors.anchor();
        assertThat(Files.readString(dir.resolve("audit-anchor"))).startsWith("seq=30 ");
        database.inTransaction(c -> {
            try (var update = c.prepareStatement("UPDATE audit_anchor SET seq = 20, signature = ?")) {
                update.setString(1, older);
                return update.executeUpdate();
            }
        });
        assertThat(audit.verify().breaks()).extracting(AuditLog.Break::problem).anyMatch(p -> p.contains(
                "is older than the one in " + dir.resolve("audit-anchor") + " (record 30): it was rolled back"));

        database.inTransaction(c -> {
            try (var delete = c.prepareStatement("DELETE FROM audit_anchor")) {
                return delete.executeUpdate();
            }
        });
        assertThat(audit.verify().problem()).startsWith("the audit anchor was removed from the database");
    }

    @Test
    void records_after_the_newest_anchor_verify_but_are_not_counted_as_anchored() {
        anchors.anchor();
        append(20, 25);
        AuditLog.Verification result = audit.verify();
        assertThat(result.intact()).isTrue();
        assertThat(result.checked()).isEqualTo(25);
        assertThat(result.anchored()).isEqualTo(20);
        assertThat(anchors.anchor().seq()).isEqualTo(25);
        assertThat(anchors.anchor().seq()).as("an unmoved head is not signed again").isEqualTo(25);
    }

    @Test
    void a_key_pair_of_the_data_directory_signs_and_a_stranger_cannot(@TempDir Path data) throws Exception {
        DataDir dir = DataDir.init(data.resolve("d"));
        KeyPair key = dir.secure();
        assertThat(java.nio.file.Files.getPosixFilePermissions(dir.auditKey()))
                .containsExactlyInAnyOrderElementsOf(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(java.nio.file.Files.getPosixFilePermissions(dir.root()))
                .containsExactlyInAnyOrderElementsOf(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertThat(java.nio.file.Files.getPosixFilePermissions(dir.root().resolve("vigil.mv.db")))
                .containsExactlyInAnyOrderElementsOf(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(key.getPublic()).isEqualTo(PemFiles.readKeyPair(dir.auditKey()).getPublic());
        assertThat(List.of(dir.auditKey(), dir.serverKey(), dir.adminKey())).allMatch(Files::exists);
    }
}
