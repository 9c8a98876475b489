package dev.vigil.provisioning;

import java.time.Instant;

/** A person (or script) holding an operator key, with one role. */
public record Operator(String name, String keyId, String role, Instant createdAt) {
}
