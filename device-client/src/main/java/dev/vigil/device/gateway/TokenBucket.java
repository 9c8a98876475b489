package dev.vigil.device.gateway;

/** A per-child rate limit of the gateway's own: {@code burst} requests at once, refilled at {@code perSecond}. */
final class TokenBucket {

    private final double perSecond;
    private final double burst;
    private double tokens;
    private long last;

    TokenBucket(double perSecond, double burst, long nowNanos) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes a token, or returns the whole seconds until one is due (at least 1) if none is left. */
    synchronized long take(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - last) / 1e9 * perSecond);
        last = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
    }
}
