package dev.vigil.policy;

import java.util.Set;

/**
 * An operator role ready for decisions: exact names in a hash set, prefix and suffix patterns as short
 * arrays matched in place without allocating.
 */
final class CompiledRole {

    /** Grants nothing; the role of device subjects. */
    static final CompiledRole NONE = new CompiledRole(false, Set.of(), new String[0], new String[0]);

    private final boolean everything;
    private final Set<String> exact;
    /** {@code "device."} for the pattern {@code "device.*"}. */
    private final String[] prefixes;
    /** {@code ".list"} for the pattern {@code "*.list"}. */
    private final String[] suffixes;

    CompiledRole(boolean everything, Set<String> exact, String[] prefixes, String[] suffixes) {
        this.everything = everything;
        this.exact = Set.copyOf(exact);
        this.prefixes = prefixes.clone();
        this.suffixes = suffixes.clone();
    }

    boolean permits(String operation) {
        if (everything || exact.contains(operation)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (operation.startsWith(prefix)) {
                return true;
            }
        }
        for (String suffix : suffixes) {
            if (operation.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }
}
