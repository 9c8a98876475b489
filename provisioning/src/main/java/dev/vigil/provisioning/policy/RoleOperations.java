package dev.vigil.provisioning.policy;

import dev.vigil.policy.OperatorRole;
import dev.vigil.policy.PolicySet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Role operation patterns against the operations that exist: a typo such as {@code devise.add} or
 * {@code firmware.rolout.*} grants nothing and would go unnoticed until an operator is refused. Patterns of the
 * wrong form are {@code PolicyCompiler}'s to report.
 */
final class RoleOperations {

    private RoleOperations() {
    }

    static void checkKnown(PolicySet policy, Set<String> operations, DocumentErrors errors) {
        for (Map.Entry<String, OperatorRole> role : policy.roles().entrySet()) {
            if (role.getValue() == null || role.getValue().operations() == null) {
                continue;
            }
            String path = DocumentErrors.at(DocumentErrors.at("/roles", role.getKey()), "operations");
            List<String> patterns = role.getValue().operations();
            for (int i = 0; i < patterns.size(); i++) {
                String pattern = patterns.get(i);
                if (pattern != null && !matchesAny(pattern, operations)) {
                    errors.add(DocumentErrors.at(path, i), pattern.indexOf('*') < 0
                            ? "unknown operation '" + pattern + "'" + suggestion(pattern, operations)
                            : "operation pattern '" + pattern + "' matches no operation");
                }
            }
        }
    }

    private static boolean matchesAny(String pattern, Set<String> operations) {
        int stars = pattern.length() - pattern.replace("*", "").length();
        if (pattern.equals("*") || stars > 1 || pattern.isEmpty()) {
            return true; // everything, or a malformed pattern the compiler reports
        }
        if (stars == 0) {
            return operations.contains(pattern);
        }
        if (pattern.endsWith(".*")) {
            String prefix = pattern.substring(0, pattern.length() - 1);
            return operations.stream().anyMatch(op -> op.startsWith(prefix));
        }
        if (pattern.startsWith("*.")) {
            String suffix = pattern.substring(1);
            return operations.stream().anyMatch(op -> op.endsWith(suffix));
        }
        return true; // malformed: the compiler reports it
    }

    /** {@code "; did you mean 'device.add'?"} for a name one or two edits away from an operation. */
    private static String suggestion(String name, Set<String> operations) {
        String best = null;
        int bestDistance = 3;
        for (String operation : operations) {
            int distance = distance(name, operation);
            if (distance < bestDistance || distance == bestDistance && best != null && operation.compareTo(best) < 0) {
                best = operation;
                bestDistance = distance;
            }
        }
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2 || a.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
