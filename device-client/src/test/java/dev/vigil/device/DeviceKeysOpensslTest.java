package dev.vigil.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Device key files as OpenSSL makes them, made by the openssl binary at test time (skipped without it). */
class DeviceKeysOpensslTest {

    @TempDir
    Path dir;

    /** Runs openssl with {@code args}; the test is skipped if it is not installed. */
    static void openssl(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "openssl is not installed");
            return;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SEC1 (ecparam -noout) | ecparam -name prime256v1 -genkey -noout -out key.pem",
        "SEC1 after EC PARAMETERS | ecparam -name prime256v1 -genkey -out key.pem",
        "PKCS#8 EC (genpkey) | genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem",
        "PKCS#8 Ed25519 (genpkey) | genpkey -algorithm ed25519 -out key.pem",
    })
    void a_private_key_file_from_openssl_is_read_and_its_public_key_derived(String form, String args)
            throws Exception {
        openssl(dir, args.split(" "));
        openssl(dir, "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem");

        KeyPair pair = DeviceKeys.parseKeyPair(Files.readString(dir.resolve("key.pem")), "key.pem");

        assertThat(pair.getPublic().getEncoded()).isEqualTo(DeviceKeys.readPublicKey(dir.resolve("pub.pem")).getEncoded());
    }

    @Test
    void a_sec1_key_without_its_embedded_public_key_is_read() throws Exception {
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "full.pem");
        openssl(dir, "ec", "-in", "full.pem", "-no_public", "-out", "key.pem");
        openssl(dir, "pkey", "-in", "full.pem", "-pubout", "-out", "pub.pem");

        KeyPair pair = DeviceKeys.parseKeyPair(Files.readString(dir.resolve("key.pem")), "key.pem");

        assertThat(pair.getPublic().getEncoded()).isEqualTo(DeviceKeys.readPublicKey(dir.resolve("pub.pem")).getEncoded());
    }

    @Test
    void a_private_key_followed_by_its_public_key_block_from_openssl_is_read() throws Exception {
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.pem");
        openssl(dir, "pkey", "-in", "sec1.pem", "-pubout", "-out", "pub.pem");
        Files.writeString(dir.resolve("key.pem"), Files.readString(dir.resolve("sec1.pem"))
                + Files.readString(dir.resolve("pub.pem")));

        KeyPair pair = DeviceKeys.parseKeyPair(Files.readString(dir.resolve("key.pem")), "key.pem");

        assertThat(pair.getPublic().getEncoded()).isEqualTo(DeviceKeys.readPublicKey(dir.resolve("pub.pem")).getEncoded());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "RSA | genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out key.pem | an RSA key; device keys are EC P-256 or Ed25519",
        "RSA traditional | genrsa -traditional -out key.pem 1024 | an RSA key; device keys are EC P-256 or Ed25519",
        "P-384 SEC1 | ecparam -name secp384r1 -genkey -noout -out key.pem | an EC key on a curve other than P-256; device keys are EC P-256 or Ed25519",
        "P-384 PKCS#8 | genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out key.pem | an EC key on a curve other than P-256; device keys are EC P-256 or Ed25519",
        "Ed448 | genpkey -algorithm ed448 -out key.pem | not an EC key; device keys are EC P-256 or Ed25519",
    })
    void a_key_of_another_kind_is_refused_in_one_line(String kind, String args, String message) throws Exception {
        openssl(dir, args.split(" "));

        assertThatThrownBy(() -> DeviceKeys.parseKeyPair(Files.readString(dir.resolve("key.pem")), "key.pem"))
                .isInstanceOf(IOException.class).hasMessage("key.pem: " + message);
    }

    @Test
    void a_public_key_block_of_another_key_is_refused() throws Exception {
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.pem");
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "other.pem");
        openssl(dir, "pkey", "-in", "other.pem", "-pubout", "-out", "pub.pem");
        String text = Files.readString(dir.resolve("sec1.pem")) + Files.readString(dir.resolve("pub.pem"));

        assertThatThrownBy(() -> DeviceKeys.parseKeyPair(text, "key.pem")).isInstanceOf(IOException.class)
                .hasMessage("key.pem: the PUBLIC KEY block is not the public key of the private key");
    }

    @Test
    void garbage_is_refused_in_one_line() {
        assertThatThrownBy(() -> DeviceKeys.parseKeyPair("-----BEGIN EC PRIVATE KEY-----\nAAAA\n"
                + "-----END EC PRIVATE KEY-----\n", "key.pem")).isInstanceOf(IOException.class)
                .hasMessage("key.pem: the EC PRIVATE KEY block is not an EC private key");
        assertThatThrownBy(() -> DeviceKeys.parseKeyPair("hello", "key.pem")).isInstanceOf(IOException.class)
                .hasMessage("key.pem: no PRIVATE KEY or EC PRIVATE KEY block");
    }
}
