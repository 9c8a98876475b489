package dev.vigil.provisioning.gateways;

import java.nio.charset.StandardCharsets;

/** A PSK child's identity (its name) and key, as the operator receives them once. */
public record PskMaterial(String identity, byte[] key) {

    /** The key as libcoap's {@code -k} takes it (it is ASCII by construction). */
    public String keyText() {
        return new String(key, StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "PskMaterial[" + identity + "]"; // never the key
    }
}
