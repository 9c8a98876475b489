package dev.vigil.provisioning.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.policy.DocumentError;
import dev.vigil.provisioning.policy.PolicyDocumentException;
import dev.vigil.provisioning.policy.PolicyDocuments;

/**
 * The answer of {@code policy.validate}: {@code {"valid": true}} or {@code {"valid": false, "errors": [...]}}, each
 * error with line, column, JSON pointer and message. {@link #offline} gives it without a registry.
 */
public final class PolicyChecks {

    private PolicyChecks() {
    }

    /**
     * Every check that needs no registry: shape, meaning, and role operations that exist. Not checked: profiles
     * devices use, and whether a current operator could still govern (the server adds those).
     */
    public static ObjectNode offline(String document) {
        try {
            PolicyDocuments.compile(document, 1, OperationNames.ALL);
            return Args.object().put("valid", true);
        } catch (PolicyDocumentException e) {
            return invalid(e);
        }
    }

    static ObjectNode invalid(PolicyDocumentException e) {
        ObjectNode result = Args.object().put("valid", false);
        ArrayNode errors = result.putArray("errors");
        for (DocumentError error : e.errors()) {
            errors.addObject().put("line", error.line()).put("column", error.column()).put("path", error.path())
                    .put("message", error.message());
        }
        return result;
    }
}
