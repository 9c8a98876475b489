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
    void a_next_key_file_cut_short_by_a_crash_is_dropped_and_a_leftover_temporary_file_is_replaced() throws Exception {
        DeviceKeys.generate(state);
        Path next = state.resolve(DeviceKeys.NEXT_KEY_FILE);
        Files.writeString(next, ""); // what a crash between creating and writing it left, before the rename
        assertThat(DeviceKeys.loadNext(state)).isEmpty();
        assertThat(next).doesNotExist();

        Files.writeString(state.resolve(DeviceKeys.NEXT_KEY_FILE + ".tmp"), "-----BEGIN PRIVATE KEY-----\n");
        KeyPair fresh = DeviceKeys.generateNext(state);
        assertThat(DeviceKeys.loadNext(state)).hasValueSatisfying(k -> assertThat(k.getPublic())
                .isEqualTo(fresh.getPublic()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(next))).isEqualTo("rw-------");
        assertThat(state.resolve(DeviceKeys.NEXT_KEY_FILE + ".tmp")).doesNotExist();
    }

    @Test
    void a_public_key_file_that_is_not_the_device_keys_is_rewritten_from_it() throws Exception {
        KeyPair pair = DeviceKeys.generate(state);
        Path pub = state.resolve(DeviceKeys.PUBLIC_FILE);
        Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\nAAAA"); // cut short
        DeviceKeys.repairPublicFile(state);
        assertThat(DeviceKeys.readPublicKey(pub)).isEqualTo(pair.getPublic());
    }

    @Test
    void keygen_never_replaces_an_existing_key() throws Exception {
        DeviceKeys.generate(state);
        String before = Files.readString(state.resolve(DeviceKeys.KEY_FILE));
        assertThatThrownBy(() -> DeviceKeys.generate(state)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(state.resolve(DeviceKeys.KEY_FILE))).isEqualTo(before);
    }
}
