package dev.vigil.server;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;

/**
 * Fuzzes the bodies of {@code POST /enroll} and {@code POST /key}, in CBOR and JSON. Oracle: a body is
 * either refused with {@link Payloads.BadPayload} (4.00) or read into what the registry is then asked
 * about — a text token; a P-256 or Ed25519 key with a nonce and a signature. Any other exception or
 * error is a finding (it would be a 5.00 at best). Regression inputs:
 * {@code DeviceBodiesFuzzTestInputs/<method>/}.
 */
class DeviceBodiesFuzzTest {

    @FuzzTest
    void enrollmentCbor(byte[] body) {
        enrollment(MediaTypeRegistry.APPLICATION_CBOR, body);
    }

    @FuzzTest
    @DictionaryEntries({"\"token\"", "\"vgt_", "{", "}", "\":\""})
    void enrollmentJson(byte[] body) {
        enrollment(MediaTypeRegistry.APPLICATION_JSON, body);
    }

    @FuzzTest
    void rotationCbor(byte[] body) {
        rotation(MediaTypeRegistry.APPLICATION_CBOR, body);
    }

    @FuzzTest
    @DictionaryEntries({"\"key\"", "\"nonce\"", "\"signature\"", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "MCowBQYDK2VwAyEA"})
    void rotationJson(byte[] body) {
        rotation(MediaTypeRegistry.APPLICATION_JSON, body);
    }

    private static void enrollment(int format, byte[] body) {
        try {
            String token = EnrollResource.token(post(format, body));
            require(token != null, "a token", null);
        } catch (Payloads.BadPayload refused) {
            // 4.00
        }
    }

    private static void rotation(int format, byte[] body) {
        try {
            KeyResource.Proposal proposal = KeyResource.Proposal.read(post(format, body));
            require(proposal.nonce() != null && proposal.signature() != null, "a nonce and a signature", proposal);
            require(proposal.key() instanceof ECPublicKey || proposal.key() instanceof EdECPublicKey,
                    "an EC or EdDSA key", proposal.key());
        } catch (Payloads.BadPayload refused) {
            // 4.00
        }
    }

    private static Request post(int format, byte[] body) {
        Request request = Request.newPost();
        request.getOptions().setContentFormat(format);
        request.setPayload(body);
        return request;
    }

    static void require(boolean holds, String what, Object value) {
        if (!holds) {
            throw new AssertionError("expected " + what + ", got " + value);
        }
    }
}
