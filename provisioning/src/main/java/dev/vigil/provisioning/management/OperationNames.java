package dev.vigil.provisioning.management;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The name of every management operation, known without a registry: role patterns in a policy are checked against
 * it, offline ({@code vigil policy validate} with no server) and on the server alike. {@link ManagementService}
 * refuses to start if what it registers differs, so the list cannot drift from the operations.
 */
public final class OperationNames {

    public static final Set<String> ALL = Collections.unmodifiableSet(new TreeSet<>(Set.of(
            "audit.tail", "audit.verify",
            "command.list", "command.send", "command.show",
            "device.add", "device.import", "device.list", "device.show",
            "device.approve", "device.suspend", "device.quarantine", "device.reinstate", "device.decommission",
            "device.trust", "device.trust.pin", "device.trust.release",
            "events",
            "firmware.key.add", "firmware.key.list", "firmware.list", "firmware.publish", "firmware.show",
            "firmware.rollout", "firmware.rollout.status", "firmware.rollout.pause", "firmware.rollout.resume",
            "firmware.rollout.abort",
            "gateway.children",
            "key.rotate",
            "operator.add", "operator.list", "operator.remove", "operator.role", "operator.rotate-key",
            "operator.set-key", "operator.whoami",
            "policy.apply", "policy.show", "policy.validate",
            "status",
            "telemetry.tail",
            "token.create", "token.list", "token.revoke")));

    private OperationNames() {
    }
}
