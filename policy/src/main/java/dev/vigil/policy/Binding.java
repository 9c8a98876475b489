package dev.vigil.policy;

/**
 * What a profile or role name means in one compiled policy. Shared by every subject with that name and
 * swapped by pointer when a new policy is applied; the subjects' counters stay where they are, because
 * a resource keeps its counter slot across policy versions (see {@link CompiledPolicy#alignedWith}).
 */
final class Binding {

    private static final Decision UNKNOWN_PROFILE = Decision.deny(DenyReason.UNKNOWN_PROFILE);
    private static final Decision UNKNOWN_ROLE = Decision.deny(DenyReason.UNKNOWN_ROLE);
    private static final Decision OPERATION_NOT_ALLOWED = Decision.deny(DenyReason.OPERATION_NOT_ALLOWED);

    final CompiledPolicy policy;
    /** Null when a device's profile is missing from the policy. */
    private final CompiledProfile profile;
    /** Null when an operator's role is missing from the policy. */
    private final CompiledRole role;

    Binding(CompiledPolicy policy, CompiledProfile profile, CompiledRole role) {
        this.policy = policy;
        this.profile = profile;
        this.role = role;
    }

    CompiledRole role() {
        return role;
    }

    /** Counter slots a subject needs for this binding. */
    int slots() {
        return profile == null ? 0 : profile.slots();
    }

    Decision decide(Action action, String resource, RequestFacts facts, Subject subject) {
        if (action == Action.OPERATE) {
            return role == null ? UNKNOWN_ROLE : role.permits(resource) ? Decision.ALLOW : OPERATION_NOT_ALLOWED;
        }
        return profile == null ? UNKNOWN_PROFILE : profile.decide(action, resource, facts, subject);
    }

    boolean permits(Action action, String resource, TrustTier tier) {
        if (action == Action.OPERATE) {
            return role != null && role.permits(resource);
        }
        return profile != null && profile.permits(action, resource, tier);
    }

    boolean atRest(Subject subject, long nowMillis) {
        return profile == null || profile.atRest(subject, nowMillis);
    }
}
