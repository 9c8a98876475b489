package dev.vigil.policy;

import java.util.ArrayList;
import java.util.List;

/** Collects every error of one compilation, each at a JSON Pointer, so all are reported at once. */
final class Problems {

    private final List<PolicyError> errors = new ArrayList<>();

    void add(String path, String message) {
        errors.add(new PolicyError(path, message));
    }

    int count() {
        return errors.size();
    }

    /** {@code parent} plus one reference token, escaped as RFC 6901 §3 requires. */
    static String at(String parent, String token) {
        return parent + "/" + token.replace("~", "~0").replace("/", "~1");
    }

    static String at(String parent, int index) {
        return parent + "/" + index;
    }

    void throwIfAny() throws PolicyException {
        if (!errors.isEmpty()) {
            throw new PolicyException(errors);
        }
    }
}
