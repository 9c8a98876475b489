package dev.vigil.server;

import dev.vigil.provisioning.Registry;
import java.security.PublicKey;

/**
 * Who may complete a handshake with the management endpoint: the key of a current operator that no
 * device holds. Every refusal is a security event: a device key, an unknown key or a removed operator's
 * key knocking on the management endpoint is worth knowing about.
 */
final class OperatorAdmission implements Admission {

    private final Registry registry;

    OperatorAdmission(Registry registry) {
        this.registry = registry;
    }

    @Override
    public String refusal(String keyId, PublicKey key) {
        String refusal = problem(keyId);
        if (refusal != null) {
            registry.events().record("management-handshake-refused", keyId, refusal);
        }
        return refusal;
    }

    /** May a session of this key be resumed? The same check, without an event. */
    boolean resumable(String keyId) {
        return registry.operators().findByKeyId(keyId).isPresent() && registry.devices().findByKeyId(keyId).isEmpty();
    }

    private String problem(String keyId) {
        if (resumable(keyId)) {
            return null;
        }
        return switch (registry.keyHolder(keyId).orElse("")) {
            case "device" -> "a device's key";
            case "operator" -> registry.operators().isRetiredKey(keyId) ? "an operator key replaced by a rotation"
                    : "a removed operator's key";
            case "node" -> "this node's own key";
            default -> "an unknown key";
        };
    }
}
