package dev.vigil.provisioning.commands;

/** Where a command is: QUEUED → DELIVERED → SUCCEEDED | FAILED, or EXPIRED if its time ran out first. */
public enum CommandState {
    QUEUED, DELIVERED, SUCCEEDED, FAILED, EXPIRED;

    /** Whether the command still waits for the device (it is sent again until it has a result). */
    public boolean open() {
        return this == QUEUED || this == DELIVERED;
    }
}
