package dev.vigil.policy;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a {@link PolicySet} and turns it into a {@link CompiledPolicy}. Every problem is reported,
 * not just the first, each at its JSON Pointer (see {@link PolicySet}), and a policy with any problem
 * is refused whole.
 */
public final class PolicyCompiler {

    /** Profile and role names: as device names, and roles fit the registry's 16 characters. */
    private static final Pattern PROFILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern ROLE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,15}");
    private static final String POLICY_APPLY = "policy.apply";

    private PolicyCompiler() {
    }

    /** The compiled policy, or a {@link PolicyException} listing every error in document order. */
    public static CompiledPolicy compile(PolicySet policy) throws PolicyException {
        Problems problems = new Problems();
        Map<String, ZoneClock> clocks = new HashMap<>();
        Map<String, CompiledProfile> profiles = new HashMap<>();
        policy.profiles().forEach((name, profile) -> {
            String path = Problems.at("/profiles", name);
            if (!PROFILE_NAME.matcher(name).matches()) {
                problems.add(path, "profile name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit");
            }
            profiles.put(name, ProfileCompiler.compile(profile, path, problems, clocks));
        });
        Map<String, CompiledRole> roles = new HashMap<>();
        policy.roles().forEach((name, role) -> {
            String path = Problems.at("/roles", name);
            if (!ROLE_NAME.matcher(name).matches()) {
                problems.add(path, "role name '" + name + "' must be 1-16 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit");
            }
            roles.put(name, RoleCompiler.compile(role, path, problems));
        });
        if (roles.values().stream().noneMatch(role -> role.permits(POLICY_APPLY))) {
            problems.add("/roles", "no role may perform " + POLICY_APPLY
                    + ": applying this policy would lock every operator out of changing it");
        }
        problems.throwIfAny();
        return new CompiledPolicy(policy, profiles, roles);
    }
}
