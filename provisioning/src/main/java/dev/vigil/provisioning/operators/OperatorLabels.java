package dev.vigil.provisioning.operators;

import dev.vigil.provisioning.keys.KeyState;
import java.util.Map;

/**
 * Names the operator behind a key id wherever output shows one (audit records, security events, who applied a
 * policy): {@code alice (ni:///sha-256;...)} for an operator's current key, with {@code (removed)} after it for
 * the key of a removed operator and {@code (retired)} for a key a rotation replaced. Anything else (a device, the
 * system, an unknown key) is shown as it is. A snapshot, read once per answer.
 */
public final class OperatorLabels {

    /** Who holds or held a key, and its state. */
    record Holder(String name, KeyState state) {
    }

    private final Map<String, Holder> holders;

    OperatorLabels(Map<String, Holder> holders) {
        this.holders = Map.copyOf(holders);
    }

    /** {@code text} with the operator's name, if it is an operator's key id; {@code text} itself otherwise. */
    public String label(String text) {
        Holder holder = text == null ? null : holders.get(text);
        if (holder == null) {
            return text;
        }
        String label = holder.name() + " (" + text + ")";
        return switch (holder.state()) {
            case ACTIVE -> label;
            case RETIRED -> label + " (retired)";
            default -> label + " (removed)";
        };
    }
}
