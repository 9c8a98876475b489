package dev.vigil.provisioning.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.Openssl;
import dev.vigil.provisioning.keys.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Key files as people make them with OpenSSL (made by the openssl binary at test time; skipped without it) are read
 * by every key-reading place ({@link PemFiles}); other keys are one line and exit 1; {@code vigil keygen}.
 */
class OpensslKeyFilesTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int vigil(String... args) {
        CliContext context = new CliContext(
                endpoint -> {
                    throw new AssertionError("a bad key must be refused before connecting");
                },
                (data, port, mgmt) -> {
                    throw new AssertionError("no server here");
                },
                Map.of(), new PrintWriter(out), new PrintWriter(err));
        return VigilCli.run(context, args);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SEC1 (ecparam -noout) | ecparam -name prime256v1 -genkey -noout -out key.pem",
        "SEC1 after EC PARAMETERS | ecparam -name prime256v1 -genkey -out key.pem",
        "PKCS#8 EC without a public block (genpkey) | genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem",
        "PKCS#8 Ed25519 (genpkey) | genpkey -algorithm ed25519 -out key.pem",
    })
    void an_openssl_private_key_is_read_as_a_working_key_pair(String form, String args) throws Exception {
        Openssl.run(dir, args.split(" "));
        Openssl.run(dir, "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem");

        KeyPair pair = PemFiles.readKeyPair(dir.resolve("key.pem"));

        assertThat(pair.getPublic()).isEqualTo(PemFiles.readPublicKey(dir.resolve("pub.pem")));
        assertThat(PemFiles.readPublicKey(dir.resolve("key.pem"))).as("a key file's public key, derived")
                .isEqualTo(pair.getPublic());
    }

    @Test
    void a_sec1_key_without_its_embedded_public_key_and_with_a_public_block_is_read() throws Exception {
        Openssl.run(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "full.pem");
        Openssl.run(dir, "ec", "-in", "full.pem", "-no_public", "-out", "bare.pem");
        Openssl.run(dir, "pkey", "-in", "full.pem", "-pubout", "-out", "pub.pem");
        Files.writeString(dir.resolve("key.pem"), Files.readString(dir.resolve("bare.pem"))
                + Files.readString(dir.resolve("pub.pem")));

        assertThat(PemFiles.readKeyPair(dir.resolve("key.pem")).getPublic())
                .isEqualTo(PemFiles.readPublicKey(dir.resolve("pub.pem")))
                .isEqualTo(PemFiles.readKeyPair(dir.resolve("bare.pem")).getPublic());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "RSA | genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out key.pem | an RSA key; Vigil keys are EC P-256 or Ed25519",
        "RSA traditional | genrsa -traditional -out key.pem 1024 | an RSA key; Vigil keys are EC P-256 or Ed25519",
        "P-384 SEC1 | ecparam -name secp384r1 -genkey -noout -out key.pem | an EC key on a curve other than P-256; Vigil keys are EC P-256 or Ed25519",
        "P-384 PKCS#8 | genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out key.pem | an EC key on a curve other than P-256; Vigil keys are EC P-256 or Ed25519",
        "Ed448 | genpkey -algorithm ed448 -out key.pem | not an EC key; Vigil keys are EC P-256 or Ed25519",
    })
    void another_kind_of_key_is_one_line_and_exit_1(String kind, String args, String message) throws Exception {
        Openssl.run(dir, args.split(" "));
        Openssl.run(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.pem");
        Path key = dir.resolve("key.pem");

        int code = vigil("device", "list", "--server", "coaps://127.0.0.1:1", "--operator-key", key.toString(),
                "--server-key", dir.resolve("server.pem").toString());

        assertThat(err.toString().split("\\R")).containsExactly("vigil device list: " + key + ": " + message);
        assertThat(code).isEqualTo(ExitCodes.FAILED);
    }

    @Test
    void garbage_in_a_private_key_block_is_one_line_and_exit_1() throws Exception {
        Path key = dir.resolve("key.pem");
        Files.writeString(key, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        Path server = dir.resolve("server.pub.pem");
        PemFiles.writePublicKey(server, PemFiles.generateP256().getPublic());

        int code = vigil("device", "list", "--server", "coaps://127.0.0.1:1", "--operator-key", key.toString(),
                "--server-key", server.toString());

        assertThat(err.toString().split("\\R")).containsExactly("vigil device list: " + key
                + ": the EC PRIVATE KEY block is not an EC private key");
        assertThat(code).isEqualTo(ExitCodes.FAILED);
    }

    @Test
    void keygen_writes_a_0600_key_file_and_its_public_key_and_prints_the_key_id() throws Exception {
        Path key = dir.resolve("alice.pem");

        assertThat(vigil("keygen", key.toString())).as(err.toString()).isZero();

        KeyPair pair = PemFiles.readKeyPair(key);
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String text = Files.readString(key);
        assertThat(text).startsWith("-----BEGIN PRIVATE KEY-----").contains("-----BEGIN PUBLIC KEY-----");
        assertThat(PemFiles.readPublicKey(dir.resolve("alice.pub.pem"))).isEqualTo(pair.getPublic());
        assertThat(out.toString().trim()).isEqualTo(KeyIds.of(pair.getPublic()));
        Openssl.run(dir, "pkey", "-in", "alice.pem", "-noout"); // OpenSSL reads it too
    }

    @Test
    void keygen_refuses_to_overwrite_a_key_or_its_public_file() throws Exception {
        Path key = dir.resolve("bob.pem");
        Files.writeString(dir.resolve("bob.pub.pem"), "kept");

        int code = vigil("keygen", key.toString());

        assertThat(code).isEqualTo(ExitCodes.FAILED);
        assertThat(err.toString().split("\\R")).containsExactly("vigil keygen: " + dir.resolve("bob.pub.pem")
                + " already exists; refusing to overwrite a key");
        assertThat(key).doesNotExist();
        assertThat(Files.readString(dir.resolve("bob.pub.pem"))).isEqualTo("kept");
    }
}
