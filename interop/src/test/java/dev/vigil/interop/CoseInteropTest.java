package dev.vigil.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import COSE.AlgorithmID;
import COSE.Attribute;
import COSE.HeaderKeys;
import COSE.Message;
import COSE.MessageTag;
import COSE.OneKey;
import COSE.Sign1Message;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.firmware.CoseSign1;
import dev.vigil.provisioning.firmware.FirmwareManifest;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;

/** Vigil's COSE_Sign1 against an implementation nobody here wrote: COSE-JAVA 1.1.0, both ways. */
class CoseInteropTest {

    private static final byte[] MANIFEST =
            FirmwareManifest.of("image".repeat(1000).getBytes(), 3, "acme", "valve", "2.0.1").encode();

    @Test
    void a_manifest_vigil_signs_verifies_with_cose_java() throws Exception {
        KeyPair key = PemFiles.generateP256();
        byte[] signed = CoseSign1.sign(MANIFEST, key.getPrivate());

        Sign1Message message = (Sign1Message) Message.DecodeFromBytes(signed, MessageTag.Sign1);

        assertThat(message.validate(new OneKey(key.getPublic(), null))).isTrue();
        assertThat(message.GetContent()).isEqualTo(MANIFEST);
        assertThat(message.validate(new OneKey(PemFiles.generateP256().getPublic(), null))).isFalse();
    }

    @Test
    void a_manifest_cose_java_signs_verifies_in_vigil() throws Exception {
        KeyPair key = PemFiles.generateP256();
        Sign1Message message = new Sign1Message();
        message.addAttribute(HeaderKeys.Algorithm, AlgorithmID.ECDSA_256.AsCBOR(), Attribute.PROTECTED);
        message.SetContent(MANIFEST);
        message.sign(new OneKey(key.getPublic(), key.getPrivate()));
        byte[] signed = message.EncodeToBytes();

        assertThat(FirmwareManifest.decode(CoseSign1.verify(signed, key.getPublic())).version()).isEqualTo("2.0.1");
        assertThatThrownBy(() -> CoseSign1.verify(signed, PemFiles.generateP256().getPublic()))
                .isInstanceOf(GeneralSecurityException.class);
    }
}
