package dev.vigil.provisioning.gateways;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretSealTest {

    @TempDir
    Path dir;

    @Test
    void a_sealed_secret_opens_only_with_the_same_key_for_the_same_owner() throws Exception {
        SecretSeal seal = SecretSeal.fromKeyFile(dir.resolve("oscore-key"));
        byte[] secret = "sixteen byte key".getBytes(StandardCharsets.US_ASCII);
        String sealed = seal.seal(secret, "o1");

        assertThat(sealed).doesNotContain("sixteen");
        assertThat(seal.seal(secret, "o1")).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(SecretSeal.fromKeyFile(dir.resolve("oscore-key")).open(sealed, "o1"))
                .as("the key file is read again, not replaced").isEqualTo(secret);
        assertThatThrownBy(() -> seal.open(sealed, "o2")).as("copied to another child's row")
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SecretSeal.fromKeyFile(dir.resolve("another-key")).open(sealed, "o1"))
                .isInstanceOf(IllegalStateException.class);
        assertThat(Files.getPosixFilePermissions(dir.resolve("oscore-key")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void a_key_file_that_is_not_a_256_bit_key_is_refused() throws Exception {
        Files.writeString(dir.resolve("short"), "c2hvcnQ=\n");
        assertThatThrownBy(() -> SecretSeal.fromKeyFile(dir.resolve("short")))
                .hasMessageEndingWith("does not hold a 256-bit key");
    }
}
