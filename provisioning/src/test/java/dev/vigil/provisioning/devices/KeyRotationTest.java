package dev.vigil.provisioning.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.MutableClock;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.RegistryFixture;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.KeyState;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyRotationTest {

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock();
    private RegistryFixture fixture;
    private KeyPair oldKey;
    private String oldId;

    @BeforeEach
    void open() {
        fixture = open(clock);
        oldKey = PemFiles.generateP256();
        oldId = KeyIds.of(oldKey.getPublic());
        fixture.registry.devices().add("dev-1", oldKey.getPublic(), "sensor", RegistryFixture.ADMIN);
    }

    private RegistryFixture open(MutableClock c) {
        return new RegistryFixture(dir, c, Set.of("sensor"), Set.of());
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    /** Simulates a server crash and restart: a new process knows only what was committed. */
    private void restart() {
        fixture.close();
        fixture = open(clock);
    }

    static byte[] sign(KeyPair key, byte[] nonce, String currentKeyId) throws Exception {
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key.getPrivate());
        signer.update(KeyRotation.signedBytes(nonce, currentKeyId));
        return signer.sign();
    }

    private List<DeviceKey> keys() {
        return fixture.registry.devices().show("dev-1").keys();
    }

    private long active() {
        return keys().stream().filter(k -> k.state() == KeyState.ACTIVE).count();
    }

    private boolean trusted(KeyPair key) {
        return fixture.registry.devices().findByKeyId(KeyIds.of(key.getPublic()))
                .map(DeviceIdentity::isTrusted).orElse(false);
    }

    @Test
    void rotation_happy_path_keeps_the_old_key_working_until_the_new_one_is_used() throws Exception {
        KeyPair newKey = PemFiles.generateP256();
        byte[] nonce = fixture.registry.rotation().nonce(oldId);
        fixture.registry.rotation().propose(oldId, newKey.getPublic(), nonce, sign(newKey, nonce, oldId));

        assertThat(trusted(oldKey)).isTrue();
        assertThat(fixture.registry.devices().findByKeyId(KeyIds.of(newKey.getPublic())))
                .hasValueSatisfying(d -> assertThat(d.keyState()).isEqualTo(KeyState.PENDING_ROTATION));

        String retired = fixture.registry.rotation().confirm(KeyIds.of(newKey.getPublic()));

        assertThat(retired).isEqualTo(oldId);
        assertThat(trusted(newKey)).isTrue();
        assertThat(trusted(oldKey)).isFalse();
        assertThat(keys()).extracting(DeviceKey::state).containsExactlyInAnyOrder(KeyState.RETIRED, KeyState.ACTIVE);
    }

    @ParameterizedTest(name = "server crash after step {0}")
    @ValueSource(ints = {1, 2, 3})
    void a_crash_after_any_step_leaves_exactly_one_active_key_the_device_holds(int step) throws Exception {
        KeyPair newKey = PemFiles.generateP256();
        byte[] nonce = fixture.registry.rotation().nonce(oldId);
        if (step >= 2) {
            fixture.registry.rotation().propose(oldId, newKey.getPublic(), nonce, sign(newKey, nonce, oldId));
        }
        if (step >= 3) {
            fixture.registry.rotation().confirm(KeyIds.of(newKey.getPublic()));
        }
        restart();

        assertThat(active()).isEqualTo(1);
        assertThat(trusted(oldKey) || trusted(newKey)).as("the device can still authenticate").isTrue();
        if (step == 1) {
            // the nonce died with the process: the device asks again and finishes the rotation
            assertThatThrownBy(() -> fixture.registry.rotation().propose(oldId, newKey.getPublic(), nonce,
                    sign(newKey, nonce, oldId))).isInstanceOf(Refusal.class);
            byte[] again = fixture.registry.rotation().nonce(oldId);
            fixture.registry.rotation().propose(oldId, newKey.getPublic(), again, sign(newKey, again, oldId));
        }
        if (step <= 2) {
            fixture.registry.rotation().confirm(KeyIds.of(newKey.getPublic()));
        }
        assertThat(active()).isEqualTo(1);
        assertThat(trusted(newKey)).isTrue();
    }

    @Test
    void a_device_that_crashes_before_using_its_new_key_keeps_working_and_the_proposal_expires() throws Exception {
        KeyPair newKey = PemFiles.generateP256();
        byte[] nonce = fixture.registry.rotation().nonce(oldId);
        fixture.registry.rotation().propose(oldId, newKey.getPublic(), nonce, sign(newKey, nonce, oldId));
        clock.advance(KeyRotation.PENDING_TTL.plus(Duration.ofMinutes(1)));

        assertThatThrownBy(() -> fixture.registry.rotation().confirm(KeyIds.of(newKey.getPublic())))
                .isInstanceOf(Refusal.class).hasMessageContaining("expired unconfirmed");
        assertThat(trusted(oldKey)).isTrue();
        assertThat(active()).isEqualTo(1);
        assertThat(keys()).filteredOn(k -> k.keyId().equals(KeyIds.of(newKey.getPublic())))
                .extracting(DeviceKey::state).containsExactly(KeyState.REVOKED);
    }

    @Test
    void a_signature_by_another_key_a_replayed_nonce_and_a_foreign_nonce_are_refused() throws Exception {
        KeyPair newKey = PemFiles.generateP256();
        KeyPair thief = PemFiles.generateP256();
        byte[] nonce = fixture.registry.rotation().nonce(oldId);
        assertThatThrownBy(() -> fixture.registry.rotation().propose(oldId, newKey.getPublic(), nonce,
                sign(thief, nonce, oldId))).hasMessageContaining("does not prove possession");
        fixture.registry.rotation().propose(oldId, newKey.getPublic(), nonce, sign(newKey, nonce, oldId));
        assertThatThrownBy(() -> fixture.registry.rotation().propose(oldId, thief.getPublic(), nonce,
                sign(thief, nonce, oldId))).hasMessageContaining("no valid rotation nonce");

        KeyPair other = PemFiles.generateP256();
        fixture.registry.devices().add("dev-2", other.getPublic(), "sensor", RegistryFixture.ADMIN);
        byte[] otherNonce = fixture.registry.rotation().nonce(KeyIds.of(other.getPublic()));
        assertThatThrownBy(() -> fixture.registry.rotation().propose(oldId, thief.getPublic(), otherNonce,
                sign(thief, otherNonce, oldId))).hasMessageContaining("no valid rotation nonce");
    }

    @Test
    void a_decommissioned_device_cannot_rotate() {
        fixture.registry.devices().change("dev-1", Lifecycle.DECOMMISSION, RegistryFixture.ADMIN);
        assertThatThrownBy(() -> fixture.registry.rotation().nonce(oldId)).isInstanceOf(Refusal.class)
                .hasMessage("cannot rotate a decommissioned device");
        assertThatThrownBy(() -> fixture.registry.devices().requestRotation("dev-1", RegistryFixture.ADMIN))
                .hasMessage("cannot rotate a decommissioned device");
    }
}
