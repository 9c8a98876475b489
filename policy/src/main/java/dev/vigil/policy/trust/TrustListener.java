package dev.vigil.policy.trust;

/**
 * Told of every tier change and every SUSPEND verdict, once each, by the thread whose observation
 * caused it, outside any lock of the engine. Two changes of one device observed on two threads may
 * arrive out of order; {@link TrustChange#sequence()} orders them. Must not throw; should be quick (hand
 * the change to a queue if it writes to a database).
 */
@FunctionalInterface
public interface TrustListener {

    /** Ignores every change. */
    TrustListener NONE = change -> { };

    void changed(TrustChange change);
}
