package dev.vigil.provisioning.audit;

import dev.vigil.provisioning.RegistryFixture;

import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.devices.Lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {

    @TempDir
    Path dir;
    private RegistryFixture fixture;
    private AuditLog audit;

    @BeforeEach
    void open() {
        fixture = new RegistryFixture(dir);
        audit = fixture.registry.audit();
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private void append(int n) {
        fixture.database.inTransaction(c -> {
            for (int i = 0; i < n; i++) {
                audit.append(c, RegistryFixture.ADMIN, "test.action", "target-" + i, "before " + i, "after " + i);
            }
            return null;
        });
    }

    private void sql(String statement) {
        fixture.database.inTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement(statement)) {
                return update.executeUpdate();
            }
        });
    }

    @Test
    void an_intact_chain_of_10000_records_verifies() {
        long before = audit.verify().checked(); // the shipped policy's record
        append(10_000);
        AuditLog.Verification result = audit.verify();
        assertThat(result.intact()).isTrue();
        assertThat(result.checked()).isEqualTo(before + 10_000);
    }

    @Test
    void a_record_changed_in_the_database_is_named_by_verify() {
        append(50);
        sql("UPDATE audit_log SET after_state = 'after tampered' WHERE seq = 17");
        AuditLog.Verification result = audit.verify();
        assertThat(result.intact()).isFalse();
        assertThat(result.firstBroken()).isEqualTo(17);
        assertThat(result.problem()).isEqualTo("record 17 was changed after it was written");
    }

    @Test
    void a_record_rewritten_with_a_recomputed_hash_breaks_the_next_link() {
        append(10);
        AuditLog.Entry e = audit.since(4, 1).get(0);
        String forged = AuditLog.hash(e.seq(), e.at(), e.actor(), "test.innocent", e.target(), e.before(), e.after(),
                e.prevHash());
        sql("UPDATE audit_log SET action = 'test.innocent', hash = '" + forged + "' WHERE seq = 5");
        AuditLog.Verification result = audit.verify();
        assertThat(result.firstBroken()).isEqualTo(6);
        assertThat(result.problem()).contains("does not link");
    }

    @Test
    void removed_records_are_detected_in_the_middle_and_at_the_end() {
        append(10);
        long last = audit.tail(1).get(0).seq();
        sql("DELETE FROM audit_log WHERE seq = " + last);
        assertThat(audit.verify().problem()).contains("records were removed from its end");
        sql("DELETE FROM audit_log WHERE seq = 3");
        assertThat(audit.verify().firstBroken()).isEqualTo(3);
    }

    @Test
    void a_refused_change_writes_no_record_and_a_change_writes_exactly_one() throws Exception {
        fixture.registry.devices().add("s1", PemFiles.generateP256().getPublic(), "sensor", RegistryFixture.ADMIN);
        long before = audit.tail(1000).size();
        assertThatThrownBy(() -> fixture.registry.devices().change("s1", Lifecycle.APPROVE, RegistryFixture.ADMIN))
                .isInstanceOf(Refusal.class);
        assertThat(audit.tail(1000)).hasSize((int) before);

        fixture.registry.devices().change("s1", Lifecycle.SUSPEND, RegistryFixture.ADMIN);
        var tail = audit.tail(1000);
        assertThat(tail).hasSize((int) before + 1);
        AuditLog.Entry last = tail.get(tail.size() - 1);
        assertThat(last.actor()).isEqualTo(RegistryFixture.ADMIN.id());
        assertThat(last.action()).isEqualTo("device.suspend");
        assertThat(last.target()).isEqualTo("s1");
        assertThat(last.before()).isEqualTo("state=ACTIVE");
        assertThat(last.after()).isEqualTo("state=SUSPENDED");
        assertThat(audit.verify().intact()).isTrue();
    }

    @Test
    void fields_longer_than_their_columns_are_stored_clipped_and_the_chain_still_verifies() {
        String longTarget = "manifest-" + "x".repeat(400) + ".csv";
        String longAfter = "y".repeat(1998) + "\uD83D\uDE00" + "z".repeat(100); // an emoji across the cut
        fixture.database.inTransaction(c -> audit.append(c, RegistryFixture.ADMIN, "device.import", longTarget, null,
                longAfter));

        AuditLog.Entry stored = audit.tail(1).get(0);
        assertThat(stored.target()).hasSize(AuditLog.TARGET_MAX).startsWith("manifest-xxx").endsWith("…");
        assertThat(stored.after()).hasSizeLessThanOrEqualTo(AuditLog.STATE_MAX).endsWith("y…");
        assertThat(audit.verify().intact()).isTrue();
    }

    @Test
    void control_characters_are_stored_escaped_so_a_record_cannot_forge_a_line() {
        fixture.database.inTransaction(c -> audit.append(c, RegistryFixture.ADMIN, "device.import",
                "a.csv\nforged line \u001b[31mred", null, "tab\there"));
        AuditLog.Entry stored = audit.tail(1).get(0);
        assertThat(stored.target()).isEqualTo("a.csv\\nforged line \\u001b[31mred");
        assertThat(stored.after()).isEqualTo("tab\\there");
        assertThat(audit.verify().intact()).isTrue();
    }

    @Test
    void verify_reports_every_break_so_one_cannot_hide_a_later_one() {
        append(60);
        sql("UPDATE audit_log SET after_state = 'tampered' WHERE seq = 7");
        sql("UPDATE audit_log SET target = 'someone-else' WHERE seq = 42");
        sql("DELETE FROM audit_log WHERE seq = 50");

        AuditLog.Verification result = audit.verify();

        assertThat(result.broken()).isEqualTo(3);
        assertThat(result.breaks()).extracting(AuditLog.Break::seq).containsExactly(7L, 42L, 50L);
        assertThat(result.breaks().get(2).problem()).isEqualTo("record 50 is missing");
    }
}
