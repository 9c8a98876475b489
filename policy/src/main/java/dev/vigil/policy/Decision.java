package dev.vigil.policy;

import java.util.Optional;

/**
 * The answer to one request: allow, deny with a reason, or rate-limited with a time to wait. A value,
 * modelled on Leshan's {@code Authorization}; {@link #ALLOW} and every plain denial are shared
 * constants, so deciding allocates nothing.
 */
public final class Decision {

    /** The one allowing decision. */
    public static final Decision ALLOW = new Decision(null, 0);

    private static final int CACHED_RETRY_SECONDS = 600;
    private static final Decision[] DENIALS = new Decision[DenyReason.values().length];
    private static final Decision[] RATE_LIMITS = new Decision[CACHED_RETRY_SECONDS + 1];

    static {
        for (DenyReason reason : DenyReason.values()) {
            DENIALS[reason.ordinal()] = new Decision(reason, reason == DenyReason.RATE_LIMITED ? 1 : 0);
        }
        for (int seconds = 1; seconds <= CACHED_RETRY_SECONDS; seconds++) {
            RATE_LIMITS[seconds] = new Decision(DenyReason.RATE_LIMITED, seconds);
        }
    }

    private final Optional<DenyReason> reason;
    private final int retryAfterSeconds;

    private Decision(DenyReason reason, int retryAfterSeconds) {
        this.reason = Optional.ofNullable(reason);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The shared denial for {@code reason}; {@link DenyReason#RATE_LIMITED} means retry after 1 s. */
    public static Decision deny(DenyReason reason) {
        return DENIALS[reason.ordinal()];
    }

    /** Rate-limited, to be retried after {@code seconds} (raised to at least 1); shared up to 600 s. */
    public static Decision retryAfter(long seconds) {
        if (seconds <= CACHED_RETRY_SECONDS) {
            return RATE_LIMITS[(int) Math.max(1, seconds)];
        }
        return new Decision(DenyReason.RATE_LIMITED, (int) Math.min(Integer.MAX_VALUE, seconds));
    }

    /** Whether the request may go ahead. */
    public boolean allowed() {
        return reason.isEmpty();
    }

    /** Whether the request was refused only because of its rate (CoAP 4.29 with Max-Age). */
    public boolean rateLimited() {
        return retryAfterSeconds > 0;
    }

    /** Why the request was refused; empty when allowed. */
    public Optional<DenyReason> reason() {
        return reason;
    }

    /** Seconds to wait before a rate-limited request can succeed, at least 1; 0 for any other decision. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Decision that && reason.equals(that.reason) && retryAfterSeconds == that.retryAfterSeconds;
    }

    @Override
    public int hashCode() {
        return reason.hashCode() * 31 + retryAfterSeconds;
    }

    @Override
    public String toString() {
        if (reason.isEmpty()) {
            return "ALLOW";
        }
        return rateLimited() ? "RATE_LIMITED(retry after " + retryAfterSeconds + " s)" : "DENY(" + reason.get() + ")";
    }
}
