package dev.vigil.policy;

import java.util.List;

/**
 * The management operations an operator role may perform ({@code /roles/{name}}).
 *
 * @param operations patterns: {@code "*"} (everything), an exact name ({@code "device.add"}), a prefix
 *        ({@code "device.*"}: every operation starting {@code "device."}) or a suffix ({@code "*.list"})
 */
public record OperatorRole(List<String> operations) {

    public OperatorRole {
        operations = List.copyOf(operations);
    }
}
