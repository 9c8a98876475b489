package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

/** The documented exit codes of {@code vigil}. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;

    private ExitCodes() {
    }

    static int of(ManagementException e) {
        return e.reason() == ManagementException.Reason.UNREACHABLE ? UNREACHABLE : FAILED;
    }
}
