package dev.vigil.policy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks and compiles an operator role's operation patterns. */
final class RoleCompiler {

    private static final String NAME = "[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*";
    private static final Pattern OPERATION = Pattern.compile(NAME);
    private static final Pattern PREFIX = Pattern.compile(NAME + "\\.\\*");
    private static final Pattern SUFFIX = Pattern.compile("\\*\\." + NAME);

    private RoleCompiler() {
    }

    static CompiledRole compile(OperatorRole role, String path, Problems problems) {
        boolean everything = false;
        Set<String> exact = new HashSet<>();
        List<String> prefixes = new ArrayList<>();
        List<String> suffixes = new ArrayList<>();
        List<String> operations = role.operations();
        for (int i = 0; i < operations.size(); i++) {
            String pattern = operations.get(i);
            if (pattern.equals("*")) {
                everything = true;
            } else if (OPERATION.matcher(pattern).matches()) {
                exact.add(pattern);
            } else if (PREFIX.matcher(pattern).matches()) {
                prefixes.add(pattern.substring(0, pattern.length() - 1));
            } else if (SUFFIX.matcher(pattern).matches()) {
                suffixes.add(pattern.substring(1));
            } else {
                problems.add(Problems.at(Problems.at(path, "operations"), i), "operation pattern '" + pattern
                        + "' is not '*', an operation name like 'device.add', 'prefix.*' or '*.suffix'");
            }
        }
        return new CompiledRole(everything, exact, prefixes.toArray(String[]::new), suffixes.toArray(String[]::new));
    }
}
