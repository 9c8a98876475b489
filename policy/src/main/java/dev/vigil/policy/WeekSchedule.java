package dev.vigil.policy;

/**
 * A compiled schedule: one bit per minute of the week in local time, so checking a request is a shift
 * and a mask. Filled by the compiler, read-only once published.
 */
final class WeekSchedule {

    static final int MINUTES_PER_DAY = 24 * 60;
    private static final int MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
    /** 1970-01-01, local day 0, was a Thursday: day 3 counting Monday as 0. */
    private static final int EPOCH_MINUTE_OF_WEEK = 3 * MINUTES_PER_DAY;

    private final ZoneClock clock;
    private final long[] open = new long[(MINUTES_PER_WEEK + 63) / 64];

    WeekSchedule(ZoneClock clock) {
        this.clock = clock;
    }

    ZoneClock clock() {
        return clock;
    }

    /**
     * Opens {@code [from, to)} minutes of day {@code day} (0 = Monday); a {@code to} at or before
     * {@code from} runs on past midnight into the next day (Sunday into Monday).
     */
    void open(int day, int from, int to) {
        int end = to > from ? to : to + MINUTES_PER_DAY;
        for (int minute = from; minute < end; minute++) {
            int index = (day * MINUTES_PER_DAY + minute) % MINUTES_PER_WEEK;
            open[index >>> 6] |= 1L << index;
        }
    }

    /** Whether the schedule is open at {@code nowMillis}. */
    boolean isOpen(long nowMillis) {
        long localMinute = Math.floorDiv(clock.localMillis(nowMillis), 60_000L);
        int index = (int) Math.floorMod(localMinute + EPOCH_MINUTE_OF_WEEK, (long) MINUTES_PER_WEEK);
        return (open[index >>> 6] & 1L << index) != 0;
    }
}
