package dev.vigil.provisioning;

import dev.vigil.provisioning.operators.Operator;

/**
 * Who made a change, as the audit log records it: an operator's key id, a device's key id, or
 * {@code system} with the cause.
 */
public record Actor(String id) {

    public static Actor operator(Operator operator) {
        return new Actor(operator.keyId());
    }

    public static Actor device(String keyId) {
        return new Actor("device " + keyId);
    }

    public static Actor system(String cause) {
        return new Actor("system (" + cause + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
