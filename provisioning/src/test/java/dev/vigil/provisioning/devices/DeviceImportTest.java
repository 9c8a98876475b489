package dev.vigil.provisioning.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.RegistryFixture;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.PemFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceImportTest {

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

    private static String quotedPem(KeyPair key) {
        return "\"" + PemFiles.publicKeyPem(key.getPublic()) + "\"";
    }

    @Test
    void csv_with_pem_keys_base64_keys_and_key_ids_is_parsed() throws Exception {
        KeyPair a = PemFiles.generateP256();
        KeyPair b = PemFiles.generateP256();
        KeyPair c = PemFiles.generateP256();
        String csv = "name,profile,key\n"
                + "dev-a,sensor," + quotedPem(a) + "\n"
                + "dev-b,sensor," + java.util.Base64.getEncoder().encodeToString(b.getPublic().getEncoded()) + "\n"
                + "dev-c,gated," + KeyIds.of(c.getPublic()) + "\n";
        List<ManifestRow> rows = Manifest.parse("m.csv", csv);
        assertThat(rows).extracting(ManifestRow::name).containsExactly("dev-a", "dev-b", "dev-c");
        assertThat(rows.get(2).publicKey()).isNull();
        assertThat(rows.get(2).keyId()).isEqualTo(KeyIds.of(c.getPublic()));
    }

    @Test
    void every_bad_row_is_reported_with_its_line() {
        KeyPair a = PemFiles.generateP256();
        String csv = "name,profile,key\n"
                + "dev-a,sensor," + quotedPem(a) + "\n"     // lines 2-6: the quoted PEM spans lines
                + "bad name,sensor,ni:///sha-256;" + "A".repeat(43) + "\n"
                + "dev-a,sensor,ni:///sha-256;" + "B".repeat(43) + "\n"
                + "dev-d,sensor,not-a-key!\n";
        assertThatThrownBy(() -> Manifest.parse("m.csv", csv)).isInstanceOf(IOException.class)
                .hasMessageContaining("m.csv: line 7: device name must be")
                .hasMessageContaining("m.csv: line 8: device name 'dev-a' appears twice")
                .hasMessageContaining("m.csv: line 9: key: not an EC P-256 or Ed25519 public key");
    }

    @Test
    void json_manifests_are_accepted() throws Exception {
        KeyPair a = PemFiles.generateP256();
        String json = "[{\"name\":\"dev-a\",\"profile\":\"sensor\",\"key\":\"" + KeyIds.of(a.getPublic()) + "\"}]";
        assertThat(Manifest.parse("m.json", json)).hasSize(1);
    }

    @Test
    void imported_devices_are_provisioned_and_a_conflict_refuses_the_whole_manifest() throws Exception {
        List<ManifestRow> rows = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            rows.add(Manifest.row("dev-" + i, "sensor", KeyIds.of(PemFiles.generateP256().getPublic())));
        }
        List<Integer> progress = new ArrayList<>();
        int imported = fixture.registry.importer().importAll(rows, "m.csv", RegistryFixture.ADMIN, progress::add);

        assertThat(imported).isEqualTo(2500);
        assertThat(progress).containsExactly(1000, 2000, 2500);
        assertThat(fixture.registry.devices().countByState()).containsEntry(DeviceState.PROVISIONED, 2500);

        List<ManifestRow> second = List.of(
                Manifest.row("new-1", "sensor", KeyIds.of(PemFiles.generateP256().getPublic())),
                Manifest.row("dev-7", "sensor", KeyIds.of(PemFiles.generateP256().getPublic())));
        assertThatThrownBy(() -> fixture.registry.importer().importAll(second, "m2.csv", RegistryFixture.ADMIN, n -> { }))
                .isInstanceOf(Refusal.class).hasMessageContaining("device name 'dev-7' is already registered");
        assertThat(fixture.registry.devices().idOf("new-1")).isEmpty();
    }

    @Test
    void first_handshake_activates_a_provisioned_device_and_stores_its_key() throws Exception {
        KeyPair key = PemFiles.generateP256();
        fixture.registry.importer().importAll(List.of(Manifest.row("dev-a", "sensor", KeyIds.of(key.getPublic())),
                Manifest.row("dev-b", "gated", PemFiles.publicKeyPem(PemFiles.generateP256().getPublic()))),
                "m.csv", RegistryFixture.ADMIN, n -> { });
        DeviceIdentity identity = fixture.registry.devices().activate(KeyIds.of(key.getPublic()), key.getPublic(), false);
        assertThat(identity.state()).isEqualTo(DeviceState.ACTIVE);
        assertThat(identity.isTrusted()).isTrue();
        assertThatThrownBy(() -> fixture.registry.devices().activate(KeyIds.of(key.getPublic()), key.getPublic(), false))
                .hasMessage("device is already active");
    }
}
