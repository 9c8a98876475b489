package dev.vigil.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.PublicKey;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;

/**
 * Device side of token enrollment: {@code POST /enroll {"token"}} with the device's own (not yet
 * registered) key. On 2.01 the state directory keeps what the server said ({@code enrollment.json}), the
 * server key it pinned ({@code server.pub.pem}) and, if the server named one and none is pinned yet (say, at
 * manufacture), the firmware signer's key ({@code firmware.pub.pem}) that {@code update} verifies manifests
 * with: learned once, over the session authenticated by the pinned server key, and never replaced by a later
 * enrollment answer.
 */
public final class Enrollment {

    public static final String RESULT_FILE = "enrollment.json";
    public static final String SERVER_KEY_FILE = "server.pub.pem";
    public static final String FIRMWARE_KEY_FILE = "firmware.pub.pem";

    /** What the server made of us. */
    public record Result(String name, String profile, String state) {
    }

    private Enrollment() {
    }

    /**
     * Enrolls and records the result; returns the outcome (2.01 on success, 4.03 for a refused token).
     */
    public static DeviceClient.Outcome enroll(Path state, URI server, Path serverKeyFile, String token, long timeoutMs)
            throws IOException {
        KeyPair key = DeviceKeys.load(state);
        PublicKey serverKey = DeviceKeys.readPublicKey(serverKeyFile);
        DeviceClient.Outcome outcome;
        try (DeviceClient client = new DeviceClient(server, key, serverKey).timeout(timeoutMs)) {
            outcome = client.send("/enroll", Cbor.post(Cbor.map().put("token", token)));
        }
        if (outcome.code() == ResponseCode.CREATED) {
            JsonNode body = Cbor.read(outcome.payload());
            Result result = new Result(body.path("name").asText(), body.path("profile").asText(),
                    body.path("state").asText());
            Path tmp = state.resolve(RESULT_FILE + ".tmp");
            Files.writeString(tmp, new ObjectMapper().writeValueAsString(result), StandardCharsets.UTF_8);
            Files.move(tmp, state.resolve(RESULT_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            Path firmwareKey = state.resolve(FIRMWARE_KEY_FILE);
            if (body.path("firmwareKey").isBinary() && !Files.exists(firmwareKey)) {
                DeviceKeys.writePublicKey(firmwareKey,
                        DeviceKeys.decodePublicKey(body.path("firmwareKey").binaryValue(), "the enrollment answer's firmwareKey"));
            }
            if (!serverKeyFile.toAbsolutePath().equals(state.resolve(SERVER_KEY_FILE).toAbsolutePath())) {
                Files.copy(serverKeyFile, state.resolve(SERVER_KEY_FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return outcome;
    }

    /** The enrollment result stored in {@code state}. */
    public static Result read(Path state) throws IOException {
        return new ObjectMapper().readValue(state.resolve(RESULT_FILE).toFile(), Result.class);
    }
}
