package dev.vigil.policy;

import java.util.Objects;

/**
 * One thing wrong with a policy.
 *
 * @param path JSON Pointer (RFC 6901) into the document form described in {@link PolicySet}, such as
 *        {@code /profiles/sensor/send/0/rate/burst}
 * @param message what is wrong, for an operator
 */
public record PolicyError(String path, String message) {

    public PolicyError {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
