package dev.vigil.provisioning;

import dev.vigil.provisioning.audit.AuditLog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.operators.OperatorRegistry;
import dev.vigil.provisioning.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirTest {

    @TempDir
    Path dir;

    @Test
    void init_makes_database_keys_and_config_with_private_keys_0600() throws Exception {
        DataDir data = DataDir.init(dir.resolve("data"));

        assertThat(data.isInitialised()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.serverKey()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.adminKey()))).isEqualTo("rw-------");
        assertThat(PemFiles.readPublicKey(data.serverPublicKey()))
                .isEqualTo(PemFiles.readKeyPair(data.serverKey()).getPublic());
        assertThat(data.properties().getProperty(DataDir.MGMT_PORT)).isEqualTo("5685");
        try (Database database = Database.openEmbedded(data.root())) {
            String adminId = KeyIds.of(PemFiles.readPublicKey(data.adminKey()));
            assertThat(new OperatorRegistry(database, new AuditLog(database)).findByKeyId(adminId))
                    .hasValueSatisfying(op -> assertThat(op.role()).isEqualTo("admin"));
        }
    }

    @Test
    void init_refuses_a_directory_that_is_not_empty_and_leaves_it_alone() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> DataDir.init(dir)).isInstanceOf(IOException.class).hasMessageContaining("not empty");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve("notes.txt"));
        }
    }

    @Test
    void init_refuses_an_initialised_directory() throws Exception {
        DataDir.init(dir.resolve("data"));
        assertThatThrownBy(() -> DataDir.init(dir.resolve("data"))).hasMessageContaining("already initialised");
    }
}
