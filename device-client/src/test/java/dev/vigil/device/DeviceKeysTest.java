package dev.vigil.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Signature;
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

    @Test
    void an_ed25519_key_file_is_pkcs8_as_openssl_writes_it_plus_its_public_key_0600_and_loads_back() throws Exception {
        KeyPair pair = DeviceKeys.generate(state, KeyAlgorithm.ED25519);

        Path keyFile = state.resolve(DeviceKeys.KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        String text = Files.readString(keyFile);
        assertThat(text).startsWith("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI") // RFC 8410, 48 bytes
                .contains("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA");
        KeyPair loaded = DeviceKeys.load(state);
        assertThat(loaded.getPublic().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        assertThat(KeyAlgorithm.of(loaded.getPublic())).isEqualTo(KeyAlgorithm.ED25519);
        assertThat(DeviceKeys.readPublicKey(state.resolve(DeviceKeys.PUBLIC_FILE)).getEncoded())
                .isEqualTo(pair.getPublic().getEncoded());
        assertThat(DeviceKeys.keyId(loaded.getPublic())).isEqualTo(DeviceKeys.keyId(pair.getPublic()));

        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(loaded.getPrivate());
        signer.update(new byte[] {1, 2, 3});
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(pair.getPublic());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signer.sign())).as("the loaded private key is the generated one's").isTrue();
    }

    @Test
    void an_ed25519_key_file_made_by_openssl_loads() throws Exception {
        // openssl genpkey -algorithm ed25519; then its public key: openssl pkey -pubout
        Files.writeString(state.resolve(DeviceKeys.KEY_FILE), """
                -----BEGIN PRIVATE KEY-----
                MC4CAQAwBQYDK2VwBCIEILbvT4VUlpDa99PM5qRxng23Yk5J5ENVQQ2xYf8DK0tS
                -----END PRIVATE KEY-----
                -----BEGIN PUBLIC KEY-----
                MCowBQYDK2VwAyEApk+LBgKuD3yi9WuMrdmb+HbkD2i3zC0O1tSC//TOyqU=
                -----END PUBLIC KEY-----
                """);
        KeyPair pair = DeviceKeys.load(state);
        assertThat(KeyAlgorithm.of(pair.getPublic())).isEqualTo(KeyAlgorithm.ED25519);
        assertThat(pair.getPrivate().getEncoded()).hasSize(48);
    }

    @Test
    void a_rotation_key_has_the_algorithm_of_the_current_key() throws Exception {
        DeviceKeys.generate(state, KeyAlgorithm.ED25519);
        assertThat(KeyAlgorithm.of(DeviceKeys.generateNext(state).getPublic())).isEqualTo(KeyAlgorithm.ED25519);
        assertThat(KeyAlgorithm.of(DeviceKeys.loadNext(state).orElseThrow().getPublic())).isEqualTo(KeyAlgorithm.ED25519);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(DeviceKeys.NEXT_KEY_FILE))))
                .isEqualTo("rw-------");

        Path p256 = state.resolve("p256");
        DeviceKeys.generate(p256);
        assertThat(KeyAlgorithm.of(DeviceKeys.generateNext(p256).getPublic())).isEqualTo(KeyAlgorithm.P256);
    }

    @Test
    void keygen_of_ed25519_never_replaces_an_existing_key_of_either_algorithm() throws Exception {
        DeviceKeys.generate(state);
        String before = Files.readString(state.resolve(DeviceKeys.KEY_FILE));
        assertThatThrownBy(() -> DeviceKeys.generate(state, KeyAlgorithm.ED25519))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(state.resolve(DeviceKeys.KEY_FILE))).isEqualTo(before);
    }
}
