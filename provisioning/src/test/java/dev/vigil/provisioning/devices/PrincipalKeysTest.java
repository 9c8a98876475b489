package dev.vigil.provisioning.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.RegistryFixture;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One key is one principal: a key registered (or tombstoned) for one is refused for any other. */
class PrincipalKeysTest {

    @TempDir
    Path dir;
    private RegistryFixture fixture;

    @BeforeEach
    void open() {
        fixture = new RegistryFixture(dir);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void a_device_key_cannot_become_an_operator_key_not_even_an_admin() {
        KeyPair device = PemFiles.generateP256();
        fixture.registry.devices().add("s1", device.getPublic(), "sensor", RegistryFixture.ADMIN);
        assertThatThrownBy(() -> fixture.registry.operators().add("mallory", device.getPublic(), "admin",
                RegistryFixture.ADMIN)).isInstanceOf(Refusal.class).hasMessage("key " + KeyIds.of(device.getPublic())
                + " belongs or belonged to a device; one key is one principal, so it cannot also be an operator's");
        assertThat(fixture.registry.operators().list()).isEmpty();
    }

    @Test
    void a_tombstoned_device_key_cannot_become_an_operator_key_either() {
        KeyPair device = PemFiles.generateP256();
        fixture.registry.devices().add("s1", device.getPublic(), "sensor", RegistryFixture.ADMIN);
        fixture.registry.devices().change("s1", Lifecycle.DECOMMISSION, RegistryFixture.ADMIN);
        assertThatThrownBy(() -> fixture.registry.operators().add("m", device.getPublic(), "auditor",
                RegistryFixture.ADMIN)).hasMessageContaining("belongs or belonged to a device");
    }

    @Test
    void an_operator_key_cannot_become_a_device_key_by_add_import_enrollment_or_rotation() throws Exception {
        KeyPair operator = PemFiles.generateP256();
        fixture.registry.operators().add("alice", operator.getPublic(), "admin", RegistryFixture.ADMIN);
        String refusal = "key " + KeyIds.of(operator.getPublic()) + " belongs or belonged to an operator; one key is one"
                + " principal, so it cannot also be a device's";

        assertThatThrownBy(() -> fixture.registry.devices().add("s1", operator.getPublic(), "sensor",
                RegistryFixture.ADMIN)).hasMessage(refusal);
        assertThatThrownBy(() -> fixture.registry.importer().importAll(List.of(Manifest.row("s2", "sensor",
                PemFiles.publicKeyPem(operator.getPublic()))), "m.csv", RegistryFixture.ADMIN, n -> { }))
                .hasMessageContaining("key of 's2' is already registered (to an operator)");
        var token = fixture.registry.tokens().create("sensor", null, Duration.ofHours(1), 1, RegistryFixture.ADMIN);
        assertThatThrownBy(() -> fixture.registry.tokens().redeem(token.token(), operator.getPublic()))
                .hasMessage(refusal);

        KeyPair device = PemFiles.generateP256();
        fixture.registry.devices().add("s3", device.getPublic(), "sensor", RegistryFixture.ADMIN);
        String current = KeyIds.of(device.getPublic());
        byte[] nonce = fixture.registry.rotation().nonce(current);
        java.security.Signature signer = java.security.Signature.getInstance("SHA256withECDSA");
        signer.initSign(operator.getPrivate());
        signer.update(KeyRotation.signedBytes(nonce, current));
        byte[] signature = signer.sign();
        assertThatThrownBy(() -> fixture.registry.rotation().propose(current, operator.getPublic(), nonce, signature))
                .hasMessage(refusal);
        assertThat(fixture.registry.devices().list()).extracting(Device::name).containsExactly("s3");
    }

    @Test
    void the_nodes_own_keys_are_nobody_elses() {
        KeyPair server = PemFiles.generateP256();
        fixture.registry.claimNodeKeys(server.getPublic());
        fixture.registry.claimNodeKeys(server.getPublic()); // again at the next start: harmless
        assertThatThrownBy(() -> fixture.registry.devices().add("s1", server.getPublic(), "sensor",
                RegistryFixture.ADMIN)).hasMessageContaining("belongs or belonged to this node");
        assertThat(fixture.registry.keyHolder(KeyIds.of(server.getPublic()))).contains("node");
    }
}
