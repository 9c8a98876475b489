package dev.vigil.provisioning.store;

import dev.vigil.provisioning.audit.AuditLog;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deterministic crash points for the crash-consistency harness: with the system property
 * {@code vigil.crashAt=NAME} (or {@code NAME#N}, the Nth time), the JVM halts with exit status 137 the moment
 * it reaches that point — no shutdown hooks, no clean close of the database, as a SIGKILL leaves it.
 *
 * <p>Points: {@code before-commit:ACTION} and {@code after-commit:ACTION} for every transaction that writes an
 * audit record (ACTION is the record's action, e.g. {@code device.decommission}; for a transaction with several,
 * its last) or stores telemetry ({@code telemetry}: one pack, or with group commit one whole group). Named by
 * {@link Database#inTransaction} from what {@link AuditLog#append} and
 * {@link dev.vigil.provisioning.telemetry.TelemetryStore} tell it.
 *
 * <p>Unset (production), {@link #ARMED} is a constant false and every check folds away.
 */
public final class CrashPoints {

    /** The system property naming the point to crash at. */
    public static final String PROPERTY = "vigil.crashAt";
    /** The exit status of a process halted at a crash point: what a SIGKILL leaves (128 + 9). */
    public static final int EXIT_STATUS = 137;

    /** An armed point: its name and on which arrival to crash (1 = the first). */
    record Armed(String name, int nth) {
    }

    private static final Armed AT = parse(System.getProperty(PROPERTY));
    /** Whether a crash point is armed in this JVM. */
    public static final boolean ARMED = AT != null;
    private static final AtomicInteger REACHED = new AtomicInteger();

    private CrashPoints() {
    }

    /** Halts the JVM if {@code name} is the armed point and this is the arrival it names. */
    public static void reach(String name) {
        if (ARMED && AT.name().equals(name) && REACHED.incrementAndGet() == AT.nth()) {
            // stderr, not a logger: this line must be out before the halt, whatever logging is configured
            System.err.println("vigil: crash point " + name + (AT.nth() > 1 ? "#" + AT.nth() : "")
                    + " reached (" + PROPERTY + "), halting with status " + EXIT_STATUS);
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }

    /** {@code NAME} or {@code NAME#N} (N ≥ 1); null or blank: nothing armed. */
    static Armed parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return null;
        }
        int hash = spec.lastIndexOf('#');
        if (hash < 0) {
            return new Armed(spec.strip(), 1);
        }
        int nth;
        try {
            nth = Integer.parseInt(spec.substring(hash + 1).strip());
        } catch (NumberFormatException e) {
            nth = 0;
        }
        if (nth < 1 || hash == 0) {
            throw new IllegalArgumentException(PROPERTY + " must be NAME or NAME#N with N >= 1, not '" + spec + "'");
        }
        return new Armed(spec.substring(0, hash).strip(), nth);
    }
}
