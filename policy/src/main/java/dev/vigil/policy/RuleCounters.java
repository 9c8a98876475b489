package dev.vigil.policy;

/**
 * The lock-free arithmetic on a subject's counter slots, each changed by compare-and-set. A send rule
 * with index i owns slots {@code 2i} and {@code 2i+1}: its token bucket as one GCRA theoretical arrival
 * time in microseconds (one number is a whole token bucket), and its daily volume with the local day
 * in the top 20 bits and the bytes used that day in the low 44.
 */
final class RuleCounters {

    /** Largest daily volume the counter can hold. */
    static final long MAX_DAILY_VOLUME = (1L << 44) - 1;

    private static final long DAY_MASK = (1L << 20) - 1;

    private RuleCounters() {
    }

    /**
     * Takes a token if the bucket has one: returns 0 if taken, otherwise the microseconds until one will
     * be there (nothing taken).
     */
    static long takeToken(Subject subject, int rule, long nowMicros, long intervalMicros, long toleranceMicros) {
        int slot = 2 * rule;
        while (true) {
            long arrival = subject.slot(slot);
            long start = Math.max(arrival, nowMicros);
            long wait = start - nowMicros - toleranceMicros;
            if (wait > 0) {
                return wait;
            }
            if (subject.compareAndSetSlot(slot, arrival, start + intervalMicros)) {
                return 0;
            }
        }
    }

    /** Whether {@code bytes} more fit into today's {@code limit}. */
    static boolean volumeFits(Subject subject, int rule, long day, int bytes, long limit) {
        return used(subject.slot(2 * rule + 1), day) + bytes <= limit;
    }

    /** Counts {@code bytes} against today's {@code limit}; false (nothing counted) if they do not fit. */
    static boolean addVolume(Subject subject, int rule, long day, int bytes, long limit) {
        int slot = 2 * rule + 1;
        while (true) {
            long packed = subject.slot(slot);
            long used = used(packed, day) + bytes;
            if (used > limit) {
                return false;
            }
            if (subject.compareAndSetSlot(slot, packed, (day & DAY_MASK) << 44 | used)) {
                return true;
            }
        }
    }

    /** Whether the rule's state equals a fresh one at this time: a full bucket and nothing counted today. */
    static boolean atRest(Subject subject, int rule, long nowMicros, long day) {
        return subject.slot(2 * rule) <= nowMicros && used(subject.slot(2 * rule + 1), day) == 0;
    }

    private static long used(long packed, long day) {
        return packed >>> 44 == (day & DAY_MASK) ? packed & MAX_DAILY_VOLUME : 0;
    }
}
