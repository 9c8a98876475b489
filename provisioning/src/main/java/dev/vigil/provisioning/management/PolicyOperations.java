package dev.vigil.provisioning.management;

import dev.vigil.provisioning.operators.PolicyStore;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Registry;

import dev.vigil.policy.CompiledPolicy;
import dev.vigil.provisioning.policy.PolicyDocumentException;
import java.util.Map;

/**
 * {@code policy.validate}, {@code policy.apply}, {@code policy.show}. A document with any error is
 * refused whole with every error located (line, column, JSON pointer); an applied one is stored as the
 * next version, audited, and put into effect atomically for new requests.
 */
final class PolicyOperations {

    private final Registry registry;

    PolicyOperations(Registry registry) {
        this.registry = registry;
    }

    void register(Map<String, Operation> operations) {
        operations.put("policy.validate", (caller, args) -> {
            try {
                registry.policies().validate(Args.text(args, "document"), OperationNames.ALL);
                return Args.object().put("valid", true);
            } catch (PolicyDocumentException e) {
                return PolicyChecks.invalid(e);
            }
        });
        operations.put("policy.apply", (caller, args) -> {
            try {
                long before = registry.policies().current().version();
                CompiledPolicy compiled = registry.policies().apply(Args.text(args, "document"), Actor.operator(caller),
                        OperationNames.ALL);
                boolean changed = compiled.version() != before;
                if (changed) {
                    registry.policy().apply(compiled);
                }
                return Args.object().put("valid", true).put("version", compiled.version()).put("changed", changed);
            } catch (PolicyDocumentException e) {
                return PolicyChecks.invalid(e);
            }
        });
        operations.put("policy.show", (caller, args) -> {
            PolicyStore.Stored stored = registry.policies().current();
            return Args.object().put("version", stored.version()).put("appliedAt", stored.appliedAt().toString())
                    .put("appliedBy", stored.appliedBy())
                    .put("appliedByLabel", registry.operators().labels().label(stored.appliedBy()))
                    .put("document", stored.document());
        });
    }
}
