package dev.vigil.provisioning.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.RegistryFixture;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.store.SqlTime;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrollmentTokensTest {

    @TempDir
    Path dir;
    private RegistryFixture fixture;
    private EnrollmentTokens tokens;

    @BeforeEach
    void open() {
        fixture = new RegistryFixture(dir);
        tokens = fixture.registry.tokens();
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void a_token_binds_a_new_key_to_a_new_active_device_once() {
        var created = tokens.create("sensor", "field-7", Duration.ofHours(1), 1, RegistryFixture.ADMIN);
        assertThat(created.token()).startsWith("vgt_");
        var key = PemFiles.generateP256();

        Device device = tokens.redeem(created.token(), key.getPublic());

        assertThat(device.name()).isEqualTo("field-7");
        assertThat(device.state()).isEqualTo(DeviceState.ACTIVE);
        assertThat(fixture.registry.devices().findByKeyId(KeyIds.of(key.getPublic())))
                .hasValueSatisfying(d -> assertThat(d.isTrusted()).isTrue());
        assertThatThrownBy(() -> tokens.redeem(created.token(), PemFiles.generateP256().getPublic()))
                .isInstanceOf(Refusal.class).hasMessage("enrollment token already used");
    }

    @Test
    void the_token_itself_is_never_stored() {
        var created = tokens.create("sensor", null, Duration.ofHours(1), 1, RegistryFixture.ADMIN);
        String stored = fixture.database.inTransaction(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT token_hash FROM enrollment_tokens");
                    var rows = q.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        });
        assertThat(stored).isNotEqualTo(created.token()).doesNotContain(created.token().substring(4));
        assertThat(stored).isEqualTo(EnrollmentTokens.hash(created.token()));
    }

    @Test
    void forged_and_expired_tokens_are_refused_and_change_nothing() {
        assertThatThrownBy(() -> tokens.redeem("vgt_forgedforgedforgedforged", PemFiles.generateP256().getPublic()))
                .isInstanceOf(Refusal.class).hasMessage("unknown enrollment token");
        var created = tokens.create("sensor", null, Duration.ofSeconds(1), 1, RegistryFixture.ADMIN);
        fixture.database.inTransaction(c -> {
            try (PreparedStatement q = c.prepareStatement(
                    "UPDATE enrollment_tokens SET expires_at = ?")) {
                q.setObject(1, SqlTime.utc(java.time.Instant.now().minusSeconds(5)));
                return q.executeUpdate();
            }
        });
        assertThatThrownBy(() -> tokens.redeem(created.token(), PemFiles.generateP256().getPublic()))
                .isInstanceOf(Refusal.class).hasMessage("enrollment token expired");
        assertThat(fixture.registry.devices().list()).isEmpty();
    }

    @Test
    void a_profile_that_requires_approval_enrolls_into_pending() {
        var created = tokens.create("gated", null, Duration.ofHours(1), 2, RegistryFixture.ADMIN);
        Device first = tokens.redeem(created.token(), PemFiles.generateP256().getPublic());
        Device second = tokens.redeem(created.token(), PemFiles.generateP256().getPublic());
        assertThat(first.state()).isEqualTo(DeviceState.PENDING);
        assertThat(first.name()).startsWith("gated-").isNotEqualTo(second.name());
        fixture.registry.devices().change(first.name(), Lifecycle.APPROVE, RegistryFixture.ADMIN);
        assertThat(fixture.registry.devices().show(first.name()).device().state()).isEqualTo(DeviceState.ACTIVE);
    }

    @Test
    void a_tombstoned_key_cannot_enroll_again() {
        var key = PemFiles.generateP256();
        fixture.registry.devices().add("old", key.getPublic(), "sensor", RegistryFixture.ADMIN);
        fixture.registry.devices().change("old", Lifecycle.DECOMMISSION, RegistryFixture.ADMIN);
        var created = tokens.create("sensor", null, Duration.ofHours(1), 1, RegistryFixture.ADMIN);
        assertThatThrownBy(() -> tokens.redeem(created.token(), key.getPublic()))
                .isInstanceOf(Refusal.class).hasMessageContaining("tombstoned");
        assertThat(fixture.registry.devices().list()).extracting(Device::name).containsExactly("old");
    }

    @Test
    void token_arguments_are_checked() {
        assertThatThrownBy(() -> tokens.create("nope", null, Duration.ofHours(1), 1, RegistryFixture.ADMIN))
                .hasMessage("no profile named 'nope' in the policy in force");
        assertThatThrownBy(() -> tokens.create("sensor", "n", Duration.ofHours(1), 2, RegistryFixture.ADMIN))
                .hasMessageContaining("--uses 1");
        assertThatThrownBy(() -> tokens.create("sensor", null, Duration.ofDays(31), 1, RegistryFixture.ADMIN))
                .hasMessageContaining("ttl");
    }

    @Test
    void a_token_for_a_name_in_use_tombstoned_or_already_promised_is_refused_at_creation() {
        fixture.registry.devices().add("live", PemFiles.generateP256().getPublic(), "sensor", RegistryFixture.ADMIN);
        fixture.registry.devices().add("gone", PemFiles.generateP256().getPublic(), "sensor", RegistryFixture.ADMIN);
        fixture.registry.devices().change("gone", Lifecycle.DECOMMISSION, RegistryFixture.ADMIN);
        tokens.create("sensor", "promised", Duration.ofHours(1), 1, RegistryFixture.ADMIN);

        assertThatThrownBy(() -> tokens.create("sensor", "live", Duration.ofHours(1), 1, RegistryFixture.ADMIN))
                .isInstanceOf(Refusal.class).hasMessage("a device named 'live' already exists");
        assertThatThrownBy(() -> tokens.create("sensor", "gone", Duration.ofHours(1), 1, RegistryFixture.ADMIN))
                .hasMessage("the name 'gone' belonged to a decommissioned device and is tombstoned");
        assertThatThrownBy(() -> tokens.create("sensor", "promised", Duration.ofHours(1), 1, RegistryFixture.ADMIN))
                .hasMessage("an unused enrollment token already names 'promised'");
    }
}
