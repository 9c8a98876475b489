package dev.vigil.provisioning.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.RegistryFixture;
import dev.vigil.provisioning.devices.KeyRotation;
import dev.vigil.provisioning.devices.ManifestRow;
import dev.vigil.provisioning.keys.DeviceKeyAlgorithms.Algorithm;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code VIGIL.DEVICE_KEY_ALGORITHMS}: parsing, telling keys apart, and the registry refusing other keys. */
class DeviceKeyAlgorithmsTest {

    private static final String ED25519_REFUSED = "an Ed25519 key is not allowed for devices here (allowed: EC P-256;"
            + " VIGIL.DEVICE_KEY_ALGORITHMS)";

    @TempDir
    Path dir;

    private static KeyPair ed25519() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    @Test
    void the_setting_is_names_separated_by_commas_and_anything_else_is_one_clear_error() {
        assertThat(DeviceKeyAlgorithms.parse("p256,ed25519")).isEqualTo(DeviceKeyAlgorithms.ALL);
        assertThat(DeviceKeyAlgorithms.parse(" ED25519 , p256 ").setting()).isEqualTo("p256,ed25519");
        assertThat(DeviceKeyAlgorithms.parse("p256").allows(Algorithm.ED25519)).isFalse();
        assertThatThrownBy(() -> DeviceKeyAlgorithms.parse("p256,rsa"))
                .hasMessage("no device key algorithm named 'rsa' (known: p256,ed25519)");
        assertThatThrownBy(() -> DeviceKeyAlgorithms.parse(" , "))
                .hasMessage("no device key algorithm allowed (known: p256,ed25519)");
    }

    @Test
    void a_keys_algorithm_is_read_from_its_subject_public_key_info_whatever_the_provider() throws Exception {
        assertThat(Algorithm.of(PemFiles.generateP256().getPublic())).contains(Algorithm.P256);
        assertThat(Algorithm.of(ed25519().getPublic())).contains(Algorithm.ED25519);
        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        assertThat(Algorithm.of(p384.generateKeyPair().getPublic())).isEmpty();
        assertThat(Algorithm.ofSubjectPublicKeyInfo(new byte[] {0x30, 0})).isEmpty();
        assertThat(Algorithm.ofSubjectPublicKeyInfo(null)).isEmpty();
        assertThat(DeviceKeyAlgorithms.ALL.refusal(p384.generateKeyPair().getPublic()))
                .startsWith("a key of another algorithm is not allowed for devices here");
    }

    @Test
    void with_p256_only_the_registry_refuses_ed25519_keys_at_add_import_enrollment_and_rotation() throws Exception {
        try (RegistryFixture fixture = new RegistryFixture(dir, Clock.systemUTC(), Set.of("sensor"), Set.of(),
                DeviceKeyAlgorithms.parse("p256"))) {
            Registry registry = fixture.registry;
            KeyPair ed = ed25519();

            assertThatThrownBy(() -> registry.devices().add("ed-1", ed.getPublic(), "sensor", RegistryFixture.ADMIN))
                    .isInstanceOf(Refusal.class).hasMessage(ED25519_REFUSED);

            byte[] p256 = PemFiles.generateP256().getPublic().getEncoded();
            byte[] spki = ed.getPublic().getEncoded();
            List<ManifestRow> manifest = List.of(new ManifestRow("p-1", "sensor", KeyIds.ofSubjectPublicKeyInfo(p256), p256),
                    new ManifestRow("ed-2", "sensor", KeyIds.ofSubjectPublicKeyInfo(spki), spki));
            assertThatThrownBy(() -> registry.importer().importAll(manifest, "m.csv", RegistryFixture.ADMIN, n -> { }))
                    .hasMessage("device 'ed-2': " + ED25519_REFUSED + "; nothing imported");

            String token = registry.tokens().create("sensor", null, java.time.Duration.ofHours(1), 1,
                    RegistryFixture.ADMIN).token();
            assertThatThrownBy(() -> registry.tokens().redeem(token, ed.getPublic())).hasMessage(ED25519_REFUSED);
            KeyPair p = PemFiles.generateP256();
            assertThat(registry.tokens().redeem(token, p.getPublic()).name()).as("the token was not spent").isNotNull();

            String currentId = KeyIds.of(p.getPublic());
            byte[] nonce = registry.rotation().nonce(currentId);
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(ed.getPrivate());
            signer.update(KeyRotation.signedBytes(nonce, currentId));
            byte[] signature = signer.sign();
            assertThatThrownBy(() -> registry.rotation().propose(currentId, ed.getPublic(), nonce, signature))
                    .isInstanceOf(Refusal.class).hasMessage(ED25519_REFUSED);

            assertThat(registry.devices().list()).hasSize(1);
        }
    }

    @Test
    void with_ed25519_only_an_ec_p256_key_is_refused_and_an_ed25519_key_rotates_in() throws Exception {
        try (RegistryFixture fixture = new RegistryFixture(dir, Clock.systemUTC(), Set.of("sensor"), Set.of(),
                DeviceKeyAlgorithms.parse("ed25519"))) {
            Registry registry = fixture.registry;
            assertThatThrownBy(() -> registry.devices().add("p-1", PemFiles.generateP256().getPublic(), "sensor",
                    RegistryFixture.ADMIN)).hasMessage("an EC P-256 key is not allowed for devices here (allowed:"
                            + " Ed25519; VIGIL.DEVICE_KEY_ALGORITHMS)");

            KeyPair first = ed25519();
            registry.devices().add("ed-1", first.getPublic(), "sensor", RegistryFixture.ADMIN);
            String currentId = KeyIds.of(first.getPublic());
            KeyPair next = ed25519();
            byte[] nonce = registry.rotation().nonce(currentId);
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(next.getPrivate());
            signer.update(KeyRotation.signedBytes(nonce, currentId));
            registry.rotation().propose(currentId, next.getPublic(), nonce, signer.sign());
            assertThat(registry.rotation().confirm(KeyIds.of(next.getPublic()))).isEqualTo(currentId);
        }
    }
}
