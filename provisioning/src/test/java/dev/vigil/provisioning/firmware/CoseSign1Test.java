package dev.vigil.provisioning.firmware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.keys.PemFiles;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CoseSign1Test {

    private static final byte[] IMAGE = "firmware image bytes".repeat(100).getBytes();

    private static byte[] manifest() {
        return FirmwareManifest.of(IMAGE, 7, "acme", "valve-v2", "1.4.0").encode();
    }

    @Test
    void a_manifest_signed_with_es256_verifies_and_reads_back_whole() throws Exception {
        KeyPair key = PemFiles.generateP256();
        byte[] signed = CoseSign1.sign(manifest(), key.getPrivate());

        assertThat(signed[0] & 0xff).as("CBOR tag 18").isEqualTo(0xD2);
        FirmwareManifest read = FirmwareManifest.decode(CoseSign1.verify(signed, key.getPublic()));
        assertThat(read.sequence()).isEqualTo(7);
        assertThat(read.vendor()).isEqualTo("acme");
        assertThat(read.deviceClass()).isEqualTo("valve-v2");
        assertThat(read.version()).isEqualTo("1.4.0");
        assertThat(read.size()).isEqualTo(IMAGE.length);
        assertThat(read.describes(IMAGE)).isTrue();
        assertThat(read.describes(Arrays.copyOf(IMAGE, IMAGE.length - 1))).isFalse();
    }

    @Test
    void eddsa_works_too() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] signed = CoseSign1.sign(manifest(), key.getPrivate());
        assertThat(FirmwareManifest.decode(CoseSign1.verify(signed, key.getPublic())).version()).isEqualTo("1.4.0");
    }

    @Test
    void a_changed_byte_another_key_or_another_algorithm_is_refused() throws Exception {
        KeyPair key = PemFiles.generateP256();
        byte[] signed = CoseSign1.sign(manifest(), key.getPrivate());
        for (int i = 0; i < signed.length; i += 7) {
            byte[] tampered = signed.clone();
            tampered[i] ^= 0x01;
            assertThatThrownBy(() -> CoseSign1.verify(tampered, key.getPublic())).as("byte %d", i)
                    .isInstanceOf(GeneralSecurityException.class);
        }
        assertThatThrownBy(() -> CoseSign1.verify(signed, PemFiles.generateP256().getPublic()))
                .hasMessage("the signature does not verify");
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertThatThrownBy(() -> CoseSign1.verify(signed, ed.getPublic())).hasMessageContaining("does not match");
        assertThatThrownBy(() -> CoseSign1.verify(new byte[] {1, 2, 3}, key.getPublic()))
                .isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void es256_signatures_are_r_and_s_of_32_bytes_whatever_their_der_length() throws Exception {
        KeyPair key = PemFiles.generateP256();
        for (int i = 0; i < 200; i++) { // r or s below 2^248 now and then: shorter DER integers
            byte[] payload = ("payload " + i).getBytes();
            byte[] signed = CoseSign1.sign(payload, key.getPrivate());
            assertThat(CoseSign1.verify(signed, key.getPublic())).isEqualTo(payload);
        }
    }
}
