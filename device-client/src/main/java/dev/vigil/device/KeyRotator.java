package dev.vigil.device;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Optional;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;

/**
 * Device side of key rotation, safe against a crash at any point:
 * <ol>
 * <li>{@code GET /key} with the current key: a nonce;</li>
 * <li>a new key is written to {@code device-key.next.pem} (0600, synced) <em>before</em> it is sent;</li>
 * <li>{@code POST /key} with the new key and its signature over "vigil-key-rotation-v1" || nonce ||
 * current key id;</li>
 * <li>a new DTLS session with the new key ({@code GET /key}) makes the server promote it; then the new key
 * file atomically replaces the old one.</li>
 * </ol>
 * {@link #recover} finishes or abandons an interrupted rotation: the next key is promoted if the server
 * knows it as this device's, and discarded only once the server is seen to accept the current key (or if its
 * file was cut short, so it was never sent) — while neither key gets through (the device is suspended) both
 * are kept; {@code device.pub.pem} is made to match the device key again.
 */
public final class KeyRotator {

    private static final byte[] CONTEXT = "vigil-key-rotation-v1".getBytes(StandardCharsets.US_ASCII);

    /** How a rotation or recovery ended. */
    public enum Result {
        ROTATED, NOTHING_TO_RECOVER, RECOVERED, ABANDONED, REFUSED, NO_ANSWER
    }

    private final Path state;
    private final URI server;
    private final PublicKey serverKey;
    private final long timeoutMs;

    public KeyRotator(Path state, URI server, PublicKey serverKey, long timeoutMs) {
        this.state = state;
        this.server = server;
        this.serverKey = serverKey;
        this.timeoutMs = timeoutMs;
    }

    public Result rotate() throws IOException {
        Result recovered = recover();
        if (recovered == Result.NO_ANSWER) {
            return recovered;
        }
        KeyPair current = DeviceKeys.load(state);
        String currentId = DeviceKeys.keyId(current.getPublic());
        DeviceClient.Outcome challenge;
        DeviceClient.Outcome proposal;
        try (DeviceClient client = client(current)) {
            challenge = client.send("/key", Cbor.get());
            if (challenge.code() != ResponseCode.CONTENT) {
                return DeviceClient.answered(challenge) ? Result.REFUSED : Result.NO_ANSWER;
            }
            byte[] nonce = Cbor.read(challenge.payload()).path("nonce").binaryValue();
            KeyPair next = DeviceKeys.generateNext(state, KeyAlgorithm.of(current.getPublic())); // same algorithm
            CrashPoints.reach("rotate:next-key-written");
            proposal = client.send("/key", Cbor.post(Cbor.map().put("key", next.getPublic().getEncoded())
                    .put("nonce", nonce).put("signature", sign(next, nonce, currentId))));
        }
        if (proposal.code() != ResponseCode.CHANGED) {
            if (DeviceClient.answered(proposal)) {
                DeviceKeys.discardNext(state);
                return Result.REFUSED;
            }
            return Result.NO_ANSWER; // keep the next key: recover() will find out whether it arrived
        }
        CrashPoints.reach("rotate:proposed");
        Result confirmed = recover();
        return confirmed == Result.RECOVERED ? Result.ROTATED : confirmed;
    }

    /**
     * If a rotation was interrupted, connects with the new key: the server promotes it if it was
     * proposed (the handshake does that), and then we keep it; if the server does not know it as ours,
     * we drop it and keep the current key.
     */
    public Result recover() throws IOException {
        DeviceKeys.repairPublicFile(state);
        Optional<KeyPair> next = DeviceKeys.loadNext(state);
        if (next.isEmpty()) {
            return Result.NOTHING_TO_RECOVER;
        }
        DeviceClient.Outcome outcome;
        try (DeviceClient client = client(next.get())) {
            outcome = client.send("/key", Cbor.get());
        }
        if (outcome.code() == ResponseCode.CONTENT) {
            CrashPoints.reach("rotate:confirmed");
            DeviceKeys.promoteNext(state);
            return Result.RECOVERED;
        }
        if (DeviceClient.answered(outcome) || outcome.failure().contains("refused the DTLS handshake")) {
            // only drop the new key once the server is seen to hold the current one: if it had promoted the
            // new key, the current one is retired, and dropping the new one would lock the device out
            DeviceClient.Outcome current;
            try (DeviceClient client = client(DeviceKeys.load(state))) {
                current = client.send("/key", Cbor.get());
            }
            if (current.code() == ResponseCode.CONTENT) {
                DeviceKeys.discardNext(state);
                return Result.ABANDONED;
            }
            return DeviceClient.answered(current) || current.failure().contains("refused the DTLS handshake")
                    ? Result.REFUSED : Result.NO_ANSWER;
        }
        return Result.NO_ANSWER;
    }

    private DeviceClient client(KeyPair key) {
        return new DeviceClient(server, key, serverKey).timeout(timeoutMs);
    }

    static byte[] sign(KeyPair key, byte[] nonce, String currentKeyId) {
        byte[] id = currentKeyId.getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(KeyAlgorithm.of(key.getPublic()).signatureName());
            signer.initSign(key.getPrivate());
            signer.update(CONTEXT);
            signer.update(nonce);
            signer.update(id);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the new key", e);
        }
    }

}
