package dev.vigil.provisioning.operators;

import dev.vigil.policy.CompiledPolicy;
import dev.vigil.provisioning.Refusal;
import java.util.List;

/**
 * The guard against locking every operator out: at all times at least one current operator must hold a
 * role that may still apply policy and manage operators. A policy, or an operator removal, that would
 * leave none is refused; only {@code vigil recover} (local access to the data directory) can mend a
 * database where it happened anyway.
 */
public final class Governance {

    /** What an operator must be able to do for the platform to stay governable. */
    public static final List<String> OPERATIONS = List.of("policy.apply", "operator.add", "operator.remove");

    private Governance() {
    }

    /** Whether {@code role} may do every one of {@link #OPERATIONS} under {@code policy}. */
    public static boolean governs(CompiledPolicy policy, String role) {
        return OPERATIONS.stream().allMatch(operation -> policy.roleMay(role, operation));
    }

    /** The operators among {@code operators} who could still govern under {@code policy}. */
    public static List<Operator> governors(CompiledPolicy policy, List<Operator> operators) {
        return operators.stream().filter(op -> governs(policy, op.role())).toList();
    }

    /** Refuses (CONFLICT) if no operator of {@code operators} could govern under {@code policy}. */
    static void require(CompiledPolicy policy, List<Operator> operators, String change) {
        if (governors(policy, operators).isEmpty()) {
            throw Refusal.conflict(change + " would lock every operator out: afterwards no current operator"
                    + " could " + String.join(", ", OPERATIONS) + " (operators: " + describe(operators)
                    + "); keep a role granting these to at least one current operator");
        }
    }

    private static String describe(List<Operator> operators) {
        if (operators.isEmpty()) {
            return "none";
        }
        List<String> names = operators.stream().limit(5).map(op -> op.name() + " (" + op.role() + ")").toList();
        return String.join(", ", names) + (operators.size() > 5 ? ", ..." : "");
    }
}
