package dev.vigil.provisioning.gateways;

import java.util.Base64;
import java.util.HexFormat;

/**
 * One child's OSCORE security context material (RFC 8613 §3.2, AES-CCM-16-64-128, HKDF-SHA-256): the master
 * secret and salt, and the ids seen from the child ({@code childSenderId} is the kid of its requests and the
 * server's recipient id). {@code replayFloor}: the highest sequence number the server has accepted (-1: none).
 */
public record OscoreMaterial(String child, byte[] masterSecret, byte[] salt, byte[] childSenderId,
        byte[] childRecipientId, long replayFloor) {

    public static final String AEAD = "AES-CCM-16-64-128";
    public static final String HKDF = "HKDF-SHA-256";

    public String kid() {
        return HexFormat.of().formatHex(childSenderId);
    }

    /** The child's side as the operator receives it once (the file {@code --oscore-out} writes). */
    public com.fasterxml.jackson.databind.node.ObjectNode childSide() {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        json.put("name", child).put("aead", AEAD).put("hkdf", HKDF)
                .put("masterSecret", Base64.getEncoder().encodeToString(masterSecret))
                .put("salt", Base64.getEncoder().encodeToString(salt))
                .put("senderId", HexFormat.of().formatHex(childSenderId))
                .put("recipientId", HexFormat.of().formatHex(childRecipientId));
        return json;
    }

    @Override
    public String toString() {
        return "OscoreMaterial[" + child + ", kid " + kid() + "]"; // never the secret
    }
}
