package dev.vigil.device.agent;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the nth wait is uniform in [0, min(max, base * 2^n)), so a fleet that
 * lost its server together does not come back together.
 */
final class Backoff {

    private final long baseMillis;
    private final long maxMillis;
    private final RandomGenerator random;
    private int attempts;

    Backoff(Duration base, Duration max, RandomGenerator random) {
        this.baseMillis = base.toMillis();
        this.maxMillis = Math.max(base.toMillis(), max.toMillis());
        this.random = random;
    }

    /** The wait before the next attempt; each call doubles the ceiling until it reaches the maximum. */
    long nextMillis() {
        long ceiling = attempts >= 30 ? maxMillis : Math.min(maxMillis, baseMillis << attempts);
        attempts++;
        return random.nextLong(Math.max(1, ceiling));
    }

    /** The link works again. */
    void reset() {
        attempts = 0;
    }

    int attempts() {
        return attempts;
    }
}
