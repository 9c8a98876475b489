package dev.vigil.policy;

import java.util.Arrays;

/** A send rule ready for decisions: a method bit mask, a sorted format array and GCRA constants. */
final class CompiledRule {

    private static final Decision METHOD_NOT_ALLOWED = Decision.deny(DenyReason.METHOD_NOT_ALLOWED);
    private static final Decision CONTENT_FORMAT_NOT_ALLOWED = Decision.deny(DenyReason.CONTENT_FORMAT_NOT_ALLOWED);
    private static final Decision PAYLOAD_TOO_LARGE = Decision.deny(DenyReason.PAYLOAD_TOO_LARGE);
    private static final Decision DAILY_VOLUME_EXCEEDED = Decision.deny(DenyReason.DAILY_VOLUME_EXCEEDED);

    final String resource;
    /** Which of the subject's {@link RuleCounters} are this rule's: slots 2 index and 2 index + 1. */
    final int index;
    private final int methods;
    private final int[] formats;
    private final int maxPayload;
    private final long intervalMicros;
    private final long toleranceMicros;
    private final long dailyVolume;

    CompiledRule(String resource, int index, int methods, int[] formats, int maxPayload, Rate rate, long dailyVolume) {
        this.resource = resource;
        this.index = index;
        this.methods = methods;
        this.formats = formats.clone();
        Arrays.sort(this.formats);
        this.maxPayload = maxPayload;
        this.intervalMicros = Math.max(1, Math.round(1_000_000 / rate.perSecond()));
        this.toleranceMicros = (long) Math.min(1e17, (rate.burst() - 1) * (double) intervalMicros);
        this.dailyVolume = dailyVolume;
    }

    private CompiledRule(CompiledRule rule, int index) {
        this.resource = rule.resource;
        this.index = index;
        this.methods = rule.methods;
        this.formats = rule.formats;
        this.maxPayload = rule.maxPayload;
        this.intervalMicros = rule.intervalMicros;
        this.toleranceMicros = rule.toleranceMicros;
        this.dailyVolume = rule.dailyVolume;
    }

    /** This rule with its counters at {@code index}. */
    CompiledRule at(int index) {
        return index == this.index ? this : new CompiledRule(this, index);
    }

    /** The stateless checks, method then format then size: {@link Decision#ALLOW} if all pass. */
    Decision check(RequestFacts facts) {
        if ((methods & facts.method().bit()) == 0) {
            return METHOD_NOT_ALLOWED;
        }
        if (formats.length > 0 && Arrays.binarySearch(formats, facts.contentFormat()) < 0) {
            return CONTENT_FORMAT_NOT_ALLOWED;
        }
        return facts.payloadSize() > maxPayload ? PAYLOAD_TOO_LARGE : Decision.ALLOW;
    }

    /**
     * Daily volume, then rate; takes a token and counts the bytes only when both allow. Under a race
     * between two requests of one device the second may use a token and still be refused for volume.
     */
    Decision admit(Subject counters, RequestFacts facts, ZoneClock clock) {
        long day = 0;
        int bytes = facts.payloadSize();
        if (dailyVolume > 0) {
            day = clock.localDay(facts.nowMillis());
            if (!RuleCounters.volumeFits(counters, index, day, bytes, dailyVolume)) {
                return DAILY_VOLUME_EXCEEDED;
            }
        }
        long wait = RuleCounters.takeToken(counters, index, facts.nowMillis() * 1000, intervalMicros, toleranceMicros);
        if (wait > 0) {
            return Decision.retryAfter((wait + 999_999) / 1_000_000);
        }
        if (dailyVolume > 0 && !RuleCounters.addVolume(counters, index, day, bytes, dailyVolume)) {
            return DAILY_VOLUME_EXCEEDED;
        }
        return Decision.ALLOW;
    }

    boolean atRest(Subject counters, long nowMillis, ZoneClock clock) {
        return RuleCounters.atRest(counters, index, nowMillis * 1000, clock.localDay(nowMillis));
    }
}
