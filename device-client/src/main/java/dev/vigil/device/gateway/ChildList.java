package dev.vigil.device.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The children the server has assigned to this gateway ({@code GET /gw}): name, key id ({@code ni:///sha-256;...}
 * of the child's SubjectPublicKeyInfo), mode, and a proxy child's PSK if it has one. Immutable; the gateway swaps in a new one on each change.
 */
public record ChildList(List<Child> children, byte[] etag) {

    /**
     * One assigned child; {@code psk} is a proxy child's pre-shared key (its identity is its name), or null. Its
     * {@code toString} names no key.
     */
    public record Child(String name, String keyId, String mode, String kid, byte[] psk) {
        public Child(String name, String keyId, String mode) {
            this(name, keyId, mode, null, null);
        }

        @Override
        public String toString() {
            return "Child[" + name + ", " + mode + (psk == null ? "" : ", psk") + "]";
        }

        public boolean proxied() {
            return "proxy".equals(mode);
        }
    }

    public static final ChildList EMPTY = new ChildList(List.of(), null);

    private static final CBORMapper CBOR = new CBORMapper();

    static ChildList parse(byte[] payload, byte[] etag) throws IOException {
        JsonNode list = CBOR.readTree(payload);
        if (list == null || !list.isArray()) {
            throw new IOException("the child list is not a CBOR array");
        }
        Map<String, Child> children = new LinkedHashMap<>();
        for (JsonNode child : list) {
            String name = child.path("name").asText("");
            String key = child.path("key").asText("");
            if (name.isEmpty() || !key.startsWith("ni:///sha-256;")) {
                throw new IOException("a child without a name or key id");
            }
            String mode = child.path("mode").asText("");
            String kid = child.path("kid").asText("");
            if ("oscore".equals(mode) && !kid.matches("[0-9a-f]{2,14}")) {
                throw new IOException("an OSCORE child without a kid");
            }
            JsonNode psk = child.path("psk");
            if (!psk.isMissingNode() && !("proxy".equals(mode) && psk.isBinary() && psk.binaryValue().length >= 16)) {
                throw new IOException("a PSK that is not a proxy child's 16 bytes or more");
            }
            children.put(name, new Child(name, key, mode, "oscore".equals(mode) ? kid : null,
                    psk.isMissingNode() ? null : psk.binaryValue()));
        }
        return new ChildList(List.copyOf(children.values()), etag);
    }

    /** The proxied child holding the key {@code keyId}, if any. */
    public Optional<Child> proxiedByKey(String keyId) {
        return children.stream().filter(c -> c.proxied() && c.keyId().equals(keyId)).findFirst();
    }

    /** The proxied child whose PSK identity (its name) is {@code identity} and that has a PSK, if any. */
    public Optional<Child> proxiedByPsk(String identity) {
        return children.stream().filter(c -> c.proxied() && c.psk() != null && c.name().equals(identity)).findFirst();
    }

    /** The OSCORE child whose kid (hex of its OSCORE sender id) is {@code kid}, if any. */
    public Optional<Child> oscoreByKid(String kid) {
        return children.stream().filter(c -> "oscore".equals(c.mode()) && kid.equals(c.kid())).findFirst();
    }

    public long count(String mode) {
        return children.stream().filter(c -> c.mode().equals(mode)).count();
    }
}
