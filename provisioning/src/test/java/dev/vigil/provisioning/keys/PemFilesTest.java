package dev.vigil.provisioning.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

    @TempDir
    Path dir;

    @Test
    void key_pair_file_is_0600_and_reads_back_as_a_working_key_pair() throws Exception {
        KeyPair pair = PemFiles.generateP256();
        Path file = dir.resolve("key.pem");
        PemFiles.writeKeyPair(file, pair);

        assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        String text = Files.readString(file);
        assertThat(text.indexOf("-----BEGIN PRIVATE KEY-----")).isLessThan(text.indexOf("-----BEGIN PUBLIC KEY-----"));

        KeyPair read = PemFiles.readKeyPair(file);
        assertThat(read.getPublic()).isEqualTo(pair.getPublic());
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(read.getPrivate());
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(pair.getPublic());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void private_key_carries_its_public_key_as_openssl_writes_it() throws Exception {
        // GnuTLS (libcoap -M) refuses a PKCS#8 EC key without the embedded public key.
        Path file = dir.resolve("key.pem");
        PemFiles.writeKeyPair(file, PemFiles.generateP256());
        String body = Files.readString(file).split("-----")[2].replaceAll("\\s", "");
        byte[] der = java.util.Base64.getDecoder().decode(body);
        assertThat(der).hasSize(138);
        assertThat(der[der.length - 70]).isEqualTo((byte) 0xA1);
    }

    @Test
    void never_overwrites_an_existing_key() throws Exception {
        Path file = dir.resolve("key.pem");
        PemFiles.writeKeyPair(file, PemFiles.generateP256());
        String before = Files.readString(file);
        assertThatThrownBy(() -> PemFiles.writeKeyPair(file, PemFiles.generateP256()))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void public_key_of_another_curve_is_refused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp384r1"));
        Path file = dir.resolve("p384.pem");
        PemFiles.writePublicKey(file, generator.generateKeyPair().getPublic());
        assertThatThrownBy(() -> PemFiles.readPublicKey(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("not an EC P-256 or Ed25519 public key");
    }

    @Test
    void text_without_a_public_key_block_is_refused() {
        assertThatThrownBy(() -> PemFiles.parsePublicKey("hello", "arg")).isInstanceOf(IOException.class)
                .hasMessage("arg: no PUBLIC KEY block found");
    }
}
