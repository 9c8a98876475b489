package dev.vigil.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.policy.TrustTier;
import dev.vigil.provisioning.commands.Command;
import dev.vigil.provisioning.commands.CommandState;
import dev.vigil.provisioning.devices.Device;
import dev.vigil.provisioning.devices.ProfileRules;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.operators.Operator;
import dev.vigil.provisioning.operators.PolicyStore;
import dev.vigil.provisioning.telemetry.Reading;
import dev.vigil.provisioning.telemetry.TelemetryStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's stores whose SQL differs most between databases (upserts, generated keys, unique constraints,
 * row locks, bytes), through the same calls the server makes; runs on H2 and, in the registry-on-postgresql run,
 * on PostgreSQL.
 */
class RegistryStoresTest {

    @TempDir
    Path dir;

    private RegistryFixture fixture;
    private Registry registry;
    private Device device;

    @BeforeEach
    void open() {
        fixture = new RegistryFixture(dir);
        registry = fixture.registry;
        device = registry.devices().add("sensor-1", PemFiles.generateP256().getPublic(), "sensor", RegistryFixture.ADMIN);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void operators_get_ids_and_a_second_operator_of_the_same_name_is_refused_leaving_the_first() {
        Operator first = registry.operators().add("alice", PemFiles.generateP256().getPublic(), "operator",
                RegistryFixture.ADMIN);
        Operator second = registry.operators().add("bob", PemFiles.generateP256().getPublic(), "auditor",
                RegistryFixture.ADMIN);
        assertThat(second.id()).isGreaterThan(first.id());

        assertThatThrownBy(() -> registry.operators().add("alice", PemFiles.generateP256().getPublic(), "admin",
                RegistryFixture.ADMIN)).isInstanceOf(Refusal.class).hasMessageContaining("an operator named 'alice'");
        assertThat(registry.operators().list()).extracting(Operator::name, Operator::role)
                .contains(org.assertj.core.groups.Tuple.tuple("alice", "operator"));
        assertThat(registry.operators().findByKeyId(first.keyId())).isPresent();
    }

    @Test
    void a_policy_applied_is_the_new_version_in_force() throws Exception {
        long before = registry.policies().current().version();
        String shipped = PolicyStore.shippedDefault();
        Operator admin = registry.operators().add("root", PemFiles.generateP256().getPublic(), "admin",
                RegistryFixture.ADMIN);
        String changed = shipped.replaceFirst("\"maxPayload\": 1024", "\"maxPayload\": 512");
        assertThat(changed).isNotEqualTo(shipped);

        registry.policies().apply(changed, Actor.operator(admin));

        PolicyStore.Stored stored = registry.policies().current();
        assertThat(stored.version()).isEqualTo(before + 1);
        assertThat(stored.document()).isEqualTo(changed);
    }

    @Test
    void readings_with_sequence_numbers_are_stored_once_and_a_replay_is_dropped() {
        TelemetryStore telemetry = registry.telemetry();
        List<Reading> pack = List.of(new Reading("temp", "Cel", 20.5, null, null, null),
                new Reading("door", null, null, null, true, null));
        TelemetryStore.Stored first = telemetry.append(device.id(), Instant.now(), pack, 1);
        TelemetryStore.Stored replay = telemetry.append(device.id(), Instant.now(), pack, 1);
        TelemetryStore.Stored next = telemetry.append(device.id(), Instant.now(), pack, 2);

        assertThat(first).isEqualTo(new TelemetryStore.Stored(2, 0, 2));
        assertThat(replay).isEqualTo(new TelemetryStore.Stored(0, 2, 2));
        assertThat(next).isEqualTo(new TelemetryStore.Stored(1, 1, 3));
        assertThat(telemetry.tail("sensor-1", 10)).hasSize(3);
    }

    @Test
    void a_command_goes_from_queued_to_delivered_to_succeeded() {
        Command sent = registry.commands().send(device.id(), "sensor-1", "reboot", "{}", Duration.ofMinutes(5),
                RegistryFixture.ADMIN);
        assertThat(registry.commands().open(device.id())).extracting(Command::id).containsExactly(sent.id());

        registry.commands().delivered(List.of(sent.id()));
        Command done = registry.commands().complete(device.id(), "sensor-1", sent.id(), true, "ok");

        assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(registry.commands().open(device.id())).isEmpty();
        assertThat(registry.commands().show(sent.id()).orElseThrow().result()).isEqualTo("ok");
    }

    @Test
    void a_pinned_tier_is_stored_and_restored_and_the_audit_chain_verifies() {
        registry.trust().pin("sensor-1", TrustTier.LIMITED, RegistryFixture.ADMIN);
        registry.trust().pin("sensor-1", TrustTier.QUARANTINED, RegistryFixture.ADMIN); // the upsert's update path
        registry.trust().save();

        Registry reopened = Registry.open(fixture.database, new ProfileRules() {
            @Override
            public boolean exists(String profile) {
                return true;
            }

            @Override
            public boolean requiresApproval(String profile) {
                return false;
            }
        }, Clock.systemUTC());
        reopened.trust().restore();
        assertThat(reopened.trust().explain("sensor-1").pinned()).isEqualTo(TrustTier.QUARANTINED);
        assertThat(registry.audit().verify().intact()).isTrue();
    }
}
