package dev.vigil.provisioning.policy;

import java.util.List;

/** A policy document was refused whole; {@link #errors()} gives each problem with its line, in file order. */
public final class PolicyDocumentException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<DocumentError> errors;

    public PolicyDocumentException(List<DocumentError> errors) {
        super(errors.isEmpty() ? "invalid policy document"
                : errors.get(0) + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
        this.errors = List.copyOf(errors);
    }

    /** At least one. */
    public List<DocumentError> errors() {
        return errors;
    }
}
