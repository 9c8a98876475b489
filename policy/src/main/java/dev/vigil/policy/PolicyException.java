package dev.vigil.policy;

import java.util.List;

/** A policy was refused whole; {@link #errors()} lists every problem found, in document order. */
public final class PolicyException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<PolicyError> errors;

    public PolicyException(List<PolicyError> errors) {
        super(summary(errors));
        this.errors = List.copyOf(errors);
    }

    /** At least one. */
    public List<PolicyError> errors() {
        return errors;
    }

    private static String summary(List<PolicyError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a policy exception needs at least one error");
        }
        return errors.get(0) + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
    }
}
