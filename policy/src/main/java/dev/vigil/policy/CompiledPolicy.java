package dev.vigil.policy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A policy that passed {@link PolicyCompiler#compile(PolicySet)}, in the form decisions use. Immutable;
 * give it to {@link PolicyEngine#apply(CompiledPolicy)} to put it into effect.
 */
public final class CompiledPolicy {

    private final PolicySet source;
    private final Map<String, CompiledProfile> profiles;
    private final Map<String, Binding> devices = new HashMap<>();
    private final Map<String, Binding> operators = new HashMap<>();
    private final Binding unknownProfile;
    private final Binding unknownRole;

    CompiledPolicy(PolicySet source, Map<String, CompiledProfile> profiles, Map<String, CompiledRole> roles) {
        this.source = source;
        this.profiles = Map.copyOf(profiles);
        profiles.forEach((name, profile) -> devices.put(name, new Binding(this, profile, CompiledRole.NONE)));
        roles.forEach((name, role) -> operators.put(name, new Binding(this, CompiledProfile.NONE, role)));
        this.unknownProfile = new Binding(this, null, CompiledRole.NONE);
        this.unknownRole = new Binding(this, CompiledProfile.NONE, null);
    }

    public long version() {
        return source.version();
    }

    /** The policy as written, for showing it back to operators. */
    public PolicySet source() {
        return source;
    }

    /** The profile with this name, if the policy has it. */
    public Optional<DeviceProfile> profile(String name) {
        return Optional.ofNullable(source.profiles().get(name));
    }

    /** Whether operators with {@code role} may perform {@code operation} under this policy (false for an unknown role). */
    public boolean roleMay(String role, String operation) {
        return binding(Subject.Kind.OPERATOR, role).permits(Action.OPERATE, operation, TrustTier.TRUSTED);
    }

    /** The operator roles this policy defines. */
    public java.util.Set<String> roles() {
        return java.util.Set.copyOf(operators.keySet());
    }

    /** What a device profile or operator role name means here; a binding that denies all if it is missing. */
    Binding binding(Subject.Kind kind, String name) {
        Binding binding = (kind == Subject.Kind.DEVICE ? devices : operators).get(name);
        return binding != null ? binding : kind == Subject.Kind.DEVICE ? unknownProfile : unknownRole;
    }

    /** This policy with the counter slots of every profile aligned to {@code running}'s. */
    CompiledPolicy alignedWith(CompiledPolicy running) {
        Map<String, CompiledProfile> aligned = new HashMap<>();
        profiles.forEach((name, profile) -> {
            CompiledProfile previous = running.profiles.get(name);
            aligned.put(name, previous == null ? profile : profile.alignedWith(previous));
        });
        Map<String, CompiledRole> roles = new HashMap<>();
        operators.forEach((name, binding) -> roles.put(name, binding.role()));
        return new CompiledPolicy(source, aligned, roles);
    }

    @Override
    public String toString() {
        return "policy v" + version() + " (" + profiles.size() + " profiles, " + operators.size() + " roles)";
    }
}
