package dev.vigil.device;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deterministic crash points for the crash-consistency harness (the device's own copy: the device client
 * shares no code with the server). With the system property {@code vigil.crashAt=NAME} (or {@code NAME#N}, the
 * Nth time), the JVM halts with exit status 137 the moment it reaches that point — no shutdown hooks, files as
 * they are, as a SIGKILL or a power cut mid-run leaves them.
 *
 * <p>Points of a key rotation ({@link KeyRotator}), in order: {@code rotate:next-key-created} (the new key's file
 * exists, nothing written to it yet), {@code rotate:next-key-written}, {@code rotate:proposed} (the server answered
 * {@code POST /key} 2.04), {@code rotate:confirmed} (the handshake with the new key succeeded; the key file is not
 * replaced yet), {@code rotate:promoted} (the key file is replaced; the public key file is not yet).
 *
 * <p>Unset, {@link #ARMED} is a constant false and every check folds away.
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
            System.err.println("vigil-device: crash point " + name + (AT.nth() > 1 ? "#" + AT.nth() : "")
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
