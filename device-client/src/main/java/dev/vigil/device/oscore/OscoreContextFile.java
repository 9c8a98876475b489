package dev.vigil.device.oscore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import org.eclipse.californium.cose.AlgorithmID;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSException;

/**
 * A child's side of its OSCORE security context (RFC 8613 §3), as {@code vigil device add --mode oscore
 * --oscore-out FILE} wrote it: JSON with {@code masterSecret} and {@code salt} (base64), {@code senderId} and
 * {@code recipientId} (hex; the sender id is the child's kid), AES-CCM-16-64-128 and HKDF-SHA-256 fixed.
 */
public record OscoreContextFile(String name, byte[] masterSecret, byte[] salt, byte[] senderId, byte[] recipientId) {

    private static final int MAX_FILE = 4096;
    private static final int MAX_UNFRAGMENTED = 4096;

    public static OscoreContextFile read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE) {
            throw new IOException(file + " is not an OSCORE context file (too large)");
        }
        JsonNode json = new ObjectMapper().readTree(Files.readAllBytes(file));
        try {
            if (!"AES-CCM-16-64-128".equals(json.path("aead").asText()) || !"HKDF-SHA-256".equals(
                    json.path("hkdf").asText())) {
                throw new IllegalArgumentException("only AES-CCM-16-64-128 with HKDF-SHA-256 is supported");
            }
            OscoreContextFile context = new OscoreContextFile(json.path("name").asText(""),
                    Base64.getDecoder().decode(json.path("masterSecret").asText("")),
                    Base64.getDecoder().decode(json.path("salt").asText("")),
                    HexFormat.of().parseHex(json.path("senderId").asText("")),
                    HexFormat.of().parseHex(json.path("recipientId").asText("")));
            if (context.masterSecret().length < 16 || context.salt().length == 0 || context.senderId().length == 0
                    || context.senderId().length > 7 || context.recipientId().length > 7) {
                throw new IllegalArgumentException("no master secret, salt or sender id, or an id over 7 bytes");
            }
            return context;
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not an OSCORE context file: " + e.getMessage());
        }
    }

    /** The hex kid the gateway's child list names this child by. */
    public String kid() {
        return HexFormat.of().formatHex(senderId);
    }

    /** The client-side context, its next sender sequence number set to {@code sequence}. */
    OSCoreCtx context(int sequence) throws OSException {
        OSCoreCtx ctx = new OSCoreCtx(masterSecret, true, AlgorithmID.AES_CCM_16_64_128, senderId, recipientId,
                AlgorithmID.HKDF_HMAC_SHA_256, 32, salt, null, MAX_UNFRAGMENTED);
        ctx.setSenderSeq(sequence);
        return ctx;
    }
}
