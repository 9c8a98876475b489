package dev.vigil.provisioning.devices;

import java.util.Locale;

/** Lifecycle of a device (DESIGN.md "Lifecycle"). */
public enum DeviceState {
    /** Imported from a manufacturer manifest and never seen: its first handshake activates it. */
    PROVISIONED,
    /** Enrolled, awaiting operator approval. */
    PENDING,
    ACTIVE,
    SUSPENDED,
    QUARANTINED,
    /** Terminal: the name and every key it held are tombstoned. */
    DECOMMISSIONED;

    /** "an active device", "a suspended device": for exact refusal messages. */
    public String withArticle() {
        String word = name().toLowerCase(Locale.ROOT);
        return ("aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
    }
}
