package dev.vigil.provisioning.operators;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.RegistryFixture;
import dev.vigil.provisioning.audit.AuditLog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No policy and no operator removal may leave nobody able to apply policy and manage operators. */
class GovernanceTest {

    @TempDir
    Path dir;
    private RegistryFixture fixture;
    private Operator admin;

    @BeforeEach
    void open() {
        fixture = new RegistryFixture(dir);
        admin = fixture.registry.operators().add("admin", PemFiles.generateP256().getPublic(), "admin",
                Actor.system("test"));
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private static String shippedWithRoles(String roles) {
        String shipped = PolicyStore.shippedDefault();
        return shipped.substring(0, shipped.indexOf("\"roles\"")) + "\"roles\": " + roles + "\n}\n";
    }

    private long version() {
        return fixture.registry.policies().current().version();
    }

    @Test
    void a_policy_that_renames_admin_is_refused_by_validate_and_apply_and_changes_nothing() {
        String renamed = shippedWithRoles("{\"administrator\": {\"operations\": [\"*\"]}}");
        long before = version();
        int records = fixture.registry.audit().tail(1000).size();

        assertThatThrownBy(() -> fixture.registry.policies().validate(renamed)).isInstanceOf(Refusal.class)
                .hasMessage("this policy would lock every operator out: afterwards no current operator could"
                        + " policy.apply, operator.add, operator.remove (operators: admin (admin)); keep a role"
                        + " granting these to at least one current operator");
        assertThatThrownBy(() -> fixture.registry.policies().apply(renamed, new Actor(admin.keyId())))
                .isInstanceOf(Refusal.class).hasMessageContaining("would lock every operator out");

        assertThat(version()).isEqualTo(before);
        assertThat(fixture.registry.audit().tail(1000)).hasSize(records);
    }

    @Test
    void a_role_that_keeps_policy_apply_but_loses_operator_management_is_a_lock_out_too() throws Exception {
        String partial = shippedWithRoles("{\"admin\": {\"operations\": [\"policy.*\", \"device.*\"]}}");
        assertThatThrownBy(() -> fixture.registry.policies().apply(partial, new Actor(admin.keyId())))
                .hasMessageContaining("would lock every operator out");
        String renamedButGranted = shippedWithRoles("{\"admin\": {\"operations\": [\"policy.*\", \"operator.*\"]},"
                + " \"ops\": {\"operations\": [\"*\"]}}");
        assertThat(fixture.registry.policies().apply(renamedButGranted, new Actor(admin.keyId())).version())
                .isEqualTo(version());
    }

    @Test
    void removing_the_last_operator_who_can_govern_is_refused() {
        Operator auditor = fixture.registry.operators().add("aud", PemFiles.generateP256().getPublic(), "auditor",
                Actor.system("test"));
        assertThatThrownBy(() -> fixture.registry.operators().remove("admin", new Actor(auditor.keyId()),
                fixture.registry.policy().policy())).isInstanceOf(Refusal.class)
                .hasMessageContaining("removing operator 'admin' would lock every operator out");
        assertThat(fixture.registry.operators().list()).extracting(Operator::name).contains("admin");

        fixture.registry.operators().add("admin2", PemFiles.generateP256().getPublic(), "admin", Actor.system("test"));
        fixture.registry.operators().remove("admin", new Actor(auditor.keyId()), fixture.registry.policy().policy());
        assertThat(fixture.registry.operators().list()).extracting(Operator::name).containsExactly("admin2", "aud");
    }

    @Test
    void recovery_mends_a_locked_out_registry_with_an_audited_operator_who_can_govern() {
        // a lock-out made behind the guard's back, as a database older than the guard could hold
        String locked = shippedWithRoles("{\"administrator\": {\"operations\": [\"*\"]}}");
        fixture.database.inTransaction(c -> fixture.registry.policies().store(c, version() + 1, locked,
                Actor.system("test")));
        assertThat(Governance.governors(compiled(), fixture.registry.operators().list())).isEmpty();

        KeyPair key = PemFiles.generateP256();
        Recovery.Result result = new Recovery(fixture.database).recover("rescue", key.getPublic(), dir.toString());

        assertThat(result.role()).isEqualTo("administrator");
        assertThat(result.policyChanged()).isFalse();
        assertThat(fixture.registry.operators().findByKeyId(KeyIds.of(key.getPublic())))
                .hasValueSatisfying(op -> assertThat(op.role()).isEqualTo("administrator"));
        AuditLog.Entry last = fixture.registry.audit().tail(1).get(0);
        assertThat(last.action()).isEqualTo("operator.recover");
        assertThat(last.actor()).isEqualTo("system (vigil recover, local access to " + dir + ")");
        assertThat(fixture.registry.audit().verify().intact()).isTrue();
    }

    @Test
    void recovery_adds_a_governing_role_when_the_policy_has_none() {
        String noGovernor = shippedWithRoles("{\"admin\": {\"operations\": [\"device.*\"]},"
                + " \"policy-only\": {\"operations\": [\"policy.*\"]}, \"recovery\": {\"operations\": [\"*.list\"]}}");
        fixture.database.inTransaction(c -> fixture.registry.policies().store(c, version() + 1, noGovernor,
                Actor.system("test")));
        long before = version();

        Recovery.Result result = new Recovery(fixture.database).recover("rescue", PemFiles.generateP256().getPublic(),
                dir.toString());

        assertThat(result.policyChanged()).isTrue();
        assertThat(result.role()).isEqualTo("recovery-2");
        assertThat(result.policyVersion()).isEqualTo(before + 1);
        assertThat(fixture.registry.policies().current().document()).contains("\"recovery-2\"")
                .contains("\"device.*\"");
        assertThat(Governance.governs(compiled(), "recovery-2")).isTrue();
    }

    private dev.vigil.policy.CompiledPolicy compiled() {
        try {
            PolicyStore.Stored stored = fixture.registry.policies().current();
            return dev.vigil.provisioning.policy.PolicyDocuments.compile(stored.document(), stored.version());
        } catch (dev.vigil.provisioning.policy.PolicyDocumentException e) {
            throw new AssertionError(e);
        }
    }
}
