package dev.vigil.provisioning.management;

import dev.vigil.provisioning.PolicyStore;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.policy.CompiledPolicy;
import dev.vigil.provisioning.policy.DocumentError;
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
                registry.policies().validate(Args.text(args, "document"));
                return Args.object().put("valid", true);
            } catch (PolicyDocumentException e) {
                return invalid(e);
            }
        });
        operations.put("policy.apply", (caller, args) -> {
            try {
                CompiledPolicy compiled = registry.policies().apply(Args.text(args, "document"), Actor.operator(caller));
                registry.policy().apply(compiled);
                return Args.object().put("valid", true).put("version", compiled.version());
            } catch (PolicyDocumentException e) {
                return invalid(e);
            }
        });
        operations.put("policy.show", (caller, args) -> {
            PolicyStore.Stored stored = registry.policies().current();
            return Args.object().put("version", stored.version()).put("appliedAt", stored.appliedAt().toString())
                    .put("appliedBy", stored.appliedBy()).put("document", stored.document());
        });
    }

    private static ObjectNode invalid(PolicyDocumentException e) {
        ObjectNode result = Args.object().put("valid", false);
        ArrayNode errors = result.putArray("errors");
        for (DocumentError error : e.errors()) {
            errors.addObject().put("line", error.line()).put("column", error.column()).put("path", error.path())
                    .put("message", error.message());
        }
        return result;
    }

}
