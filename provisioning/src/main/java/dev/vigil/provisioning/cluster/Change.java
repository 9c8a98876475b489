package dev.vigil.provisioning.cluster;

/** One entry of the change feed: its sequence number, what kind of thing changed, and which (a name). */
public record Change(long seq, ChangeKind kind, String subject) {
}
