package dev.vigil.provisioning.cluster;

import java.util.Optional;

/** What a change feed entry asks a node to refresh, named by the audit action of the change. */
public enum ChangeKind {
    /** A device's state or keys: its cached identities, and its live sessions when it may no longer hold one. */
    DEVICE,
    /** An operator: its cached entry, and its sessions once removed. */
    OPERATOR,
    /** The policy in force. */
    POLICY,
    /** A device's trust tier: one a node's trust engine decided, or one an operator pinned, unpinned or released. */
    TRUST,
    /**
     * Never recorded: the feed's own word that changes this node had not applied were pruned, so every cache is
     * forgotten and reloaded from the registry (and sessions the registry no longer allows are cut).
     */
    EVERYTHING;

    /** The kind of change an audit action records, or empty for one no node caches (tokens, firmware...). */
    public static Optional<ChangeKind> of(String action) {
        if (action.equals("device.trust") || action.startsWith("device.trust.")) { // engine, suspend, pin, release
            return Optional.of(TRUST);
        }
        if (action.equals("device.import")) { // its target is the manifest; new devices are in no cache yet
            return Optional.empty();
        }
        if (action.startsWith("device.") || action.startsWith("key.")) {
            return Optional.of(DEVICE);
        }
        if (action.startsWith("operator.")) {
            return Optional.of(OPERATOR);
        }
        if (action.equals("policy.apply")) {
            return Optional.of(POLICY);
        }
        return Optional.empty();
    }
}
