package dev.vigil.provisioning.devices;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.audit.AuditLog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.store.Database;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceRegistryTest {

    private static final Actor ADMIN = new Actor("test-admin");

    @TempDir
    Path dir;
    private Database database;
    private DeviceRegistry registry;

    @BeforeEach
    void open() {
        database = dev.vigil.provisioning.testdb.TestDatabases.open(dir);
        registry = new DeviceRegistry(database, new AuditLog(database));
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void added_device_is_listed_and_its_key_is_trusted() throws Exception {
        KeyPair key = PemFiles.generateP256();
        Device device = registry.add("sensor-1", key.getPublic(), "sensor", ADMIN);

        assertThat(device.keyId()).isEqualTo(KeyIds.of(key.getPublic())).startsWith("ni:///sha-256;");
        assertThat(registry.list()).extracting(Device::name, Device::profile, Device::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("sensor-1", "sensor", DeviceState.ACTIVE));
        assertThat(registry.findByKeyId(device.keyId())).hasValueSatisfying(identity -> {
            assertThat(identity.name()).isEqualTo("sensor-1");
            assertThat(identity.isTrusted()).isTrue();
        });
    }

    @Test
    void registry_survives_reopening_the_database() throws Exception {
        KeyPair key = PemFiles.generateP256();
        registry.add("sensor-1", key.getPublic(), "sensor", ADMIN);
        database.close();

        database = dev.vigil.provisioning.testdb.TestDatabases.open(dir);
        registry = new DeviceRegistry(database, new AuditLog(database));
        assertThat(registry.findByKeyId(KeyIds.of(key.getPublic()))).isPresent();
    }

    @Test
    void unknown_key_is_not_found() {
        assertThat(registry.findByKeyId(KeyIds.of(PemFiles.generateP256().getPublic()))).isEmpty();
    }

    @Test
    void duplicate_name_is_refused_and_changes_nothing() throws Exception {
        registry.add("sensor-1", PemFiles.generateP256().getPublic(), "sensor", ADMIN);
        KeyPair other = PemFiles.generateP256();

        assertThatThrownBy(() -> registry.add("sensor-1", other.getPublic(), "sensor", ADMIN))
                .isInstanceOf(Refusal.class).hasMessage("a device named 'sensor-1' already exists");
        assertThat(registry.findByKeyId(KeyIds.of(other.getPublic()))).isEmpty();
        assertThat(registry.list()).hasSize(1);
    }

    @Test
    void a_key_belongs_to_one_device_only_and_a_refused_add_leaves_no_device_behind() throws Exception {
        KeyPair key = PemFiles.generateP256();
        registry.add("sensor-1", key.getPublic(), "sensor", ADMIN);

        assertThatThrownBy(() -> registry.add("sensor-2", key.getPublic(), "sensor", ADMIN))
                .isInstanceOf(Refusal.class).hasMessageContaining("is already registered");
        assertThat(registry.list()).extracting(Device::name).containsExactly("sensor-1");
    }

    @Test
    void invalid_names_are_refused() {
        KeyPair key = PemFiles.generateP256();
        assertThatThrownBy(() -> registry.add("", key.getPublic(), "sensor", ADMIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.add("a b", key.getPublic(), "sensor", ADMIN))
                .hasMessageContaining("device name must be");
        assertThatThrownBy(() -> registry.add("x".repeat(65), key.getPublic(), "sensor", ADMIN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(registry.list()).isEmpty();
    }
}
