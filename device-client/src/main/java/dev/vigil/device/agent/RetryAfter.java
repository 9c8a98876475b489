package dev.vigil.device.agent;

import java.util.random.RandomGenerator;

/**
 * How long to wait when the server says when to come back: 5.03 Service Unavailable with Max-Age (RFC 7252 §5.9.3.4:
 * "the number of seconds after which to retry"; without the option, 60 s, its default, §5.10.5). The wait is Max-Age,
 * bounded by a ceiling so a wrong or hostile value cannot silence the device for days, plus up to a fifth more at
 * random, so a fleet the server turned away together does not come back together.
 */
final class RetryAfter {

    /** Max-Age's default (RFC 7252 §5.10.5). */
    static final long DEFAULT_SECONDS = 60;

    private RetryAfter() {
    }

    /**
     * @param maxAgeSeconds the response's Max-Age, or null if it had none
     * @param ceilingMillis the longest wait before the jitter
     */
    static long millis(Long maxAgeSeconds, long ceilingMillis, RandomGenerator random) {
        long seconds = maxAgeSeconds == null ? DEFAULT_SECONDS : maxAgeSeconds;
        long base = Math.min(Math.max(0, seconds) * 1000, ceilingMillis);
        return base + random.nextLong(base / 5 + 1);
    }
}
