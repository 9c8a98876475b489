package dev.vigil.provisioning.operators;

import java.time.Instant;

/** A person (or script) holding an operator key, with one role; {@code id} is the registry's. */
public record Operator(long id, String name, String keyId, String role, Instant createdAt) {

    /** This operator with another role. */
    public Operator withRole(String newRole) {
        return new Operator(id, name, keyId, newRole, createdAt);
    }
}
