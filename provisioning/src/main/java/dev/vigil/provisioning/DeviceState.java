package dev.vigil.provisioning;

/** Lifecycle of a device (DESIGN.md "Lifecycle"). */
public enum DeviceState {
    /** Enrolled, awaiting operator approval. */
    PENDING,
    ACTIVE,
    SUSPENDED,
    QUARANTINED,
    /** Terminal: the name and every key it held are tombstoned. */
    DECOMMISSIONED
}
