package dev.vigil.policy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * Local time in one zone by arithmetic: the UTC offset is cached together with the span of instants it
 * is valid for (from the zone's previous transition to its next), and looked up again only when a
 * request falls outside that span. Shared by every profile of a compiled policy that names the zone.
 */
final class ZoneClock {

    static final ZoneClock UTC = new ZoneClock(ZoneOffset.UTC);

    /** [fromMillis, untilMillis) during which the zone's offset is offsetMillis. */
    private record Span(long fromMillis, long untilMillis, long offsetMillis) {
    }

    private final ZoneId zone;
    private final ZoneRules rules;
    private volatile Span span = new Span(0, 0, 0);

    ZoneClock(ZoneId zone) {
        this.zone = zone;
        this.rules = zone.getRules();
    }

    ZoneId zone() {
        return zone;
    }

    /** Epoch milliseconds shifted by the zone's offset at {@code nowMillis}: local time as if it were UTC. */
    long localMillis(long nowMillis) {
        Span current = span;
        if (nowMillis < current.fromMillis || nowMillis >= current.untilMillis) {
            current = refresh(nowMillis);
        }
        return nowMillis + current.offsetMillis;
    }

    /** The local day number (days since 1970-01-01 in this zone) at {@code nowMillis}. */
    long localDay(long nowMillis) {
        return Math.floorDiv(localMillis(nowMillis), 86_400_000L);
    }

    private Span refresh(long nowMillis) {
        Instant now = Instant.ofEpochMilli(nowMillis);
        long offset = rules.getOffset(now).getTotalSeconds() * 1000L;
        Span fresh;
        if (rules.isFixedOffset()) {
            fresh = new Span(Long.MIN_VALUE, Long.MAX_VALUE, offset);
        } else {
            // previousTransition is strictly before its argument: asking 1 ms later includes a transition at now.
            ZoneOffsetTransition previous = rules.previousTransition(now.plusMillis(1));
            ZoneOffsetTransition next = rules.nextTransition(now);
            fresh = new Span(previous == null ? Long.MIN_VALUE : previous.toEpochSecond() * 1000L,
                    next == null ? Long.MAX_VALUE : next.toEpochSecond() * 1000L, offset);
        }
        span = fresh;
        return fresh;
    }
}
