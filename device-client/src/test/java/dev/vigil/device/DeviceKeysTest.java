package dev.vigil.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceKeysTest {

    @TempDir
    Path state;

    @Test
    void keygen_writes_a_0600_key_file_and_a_public_key_that_load_back() throws Exception {
        KeyPair pair = DeviceKeys.generate(state);

        Path keyFile = state.resolve(DeviceKeys.KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(Files.readString(keyFile)).startsWith("-----BEGIN PRIVATE KEY-----").contains("-----BEGIN PUBLIC KEY-----");
        assertThat(DeviceKeys.load(state).getPublic()).isEqualTo(pair.getPublic());
        assertThat(DeviceKeys.readPublicKey(state.resolve(DeviceKeys.PUBLIC_FILE))).isEqualTo(pair.getPublic());
    }

    @Test
    void key_id_is_the_sha256_of_the_subject_public_key_info() throws Exception {
        KeyPair pair = DeviceKeys.generate(state);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(pair.getPublic().getEncoded());
        assertThat(DeviceKeys.keyId(pair.getPublic()))
                .isEqualTo("ni:///sha-256;" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
    }

    @Test
    void keygen_never_replaces_an_existing_key() throws Exception {
        DeviceKeys.generate(state);
        String before = Files.readString(state.resolve(DeviceKeys.KEY_FILE));
        assertThatThrownBy(() -> DeviceKeys.generate(state)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(state.resolve(DeviceKeys.KEY_FILE))).isEqualTo(before);
    }
}
