package dev.vigil.policy.trust;

import dev.vigil.policy.TrustTier;

/**
 * A device's hours of the week (UTC, Monday 00:00 is hour 0): which it is active in, whether the current
 * one is in its schedule, and how much of a silence fell in its active hours. Two 168-bit maps in the
 * device: seen active, and seen active in two different weeks.
 */
final class Hours {

    private static final int ALWAYS_ON_HOURS = 150;

    private Hours() {
    }

    /** The first request of an hour: is the hour in schedule; learn it; tell the d.cohort. */
    static void roll(DeviceTrust d, long hour, int nowS, Tuning t) {
        int how = (int) ((hour + 72) % 168); // epoch day 0 was a Thursday: 0 is Monday 00:00 UTC
        long age = (long) nowS - d.scheduleS;
        boolean in;
        if (age >= t.maturitySeconds) {
            in = ownHour(d, how, age >= 2 * t.maturitySeconds);
        } else {
            in = !d.cohort.scheduleMature() || d.cohort.usual(how) || d.cohort.usual(how == 0 ? 167 : how - 1)
                    || d.cohort.usual(how == 167 ? 0 : how + 1);
        }
        d.flags = (byte) ((in ? d.flags & ~DeviceTrust.OFF_HOUR : d.flags | DeviceTrust.OFF_HOUR) | DeviceTrust.HOUR_TO_LEARN);
    }

    /**
     * The first regular request of an hour (not a flush, which says nothing of when the device is active):
     * the hour goes into the device's map (if in schedule, or the device is young) and the cohort's.
     */
    static void learn(DeviceTrust d, long now, int nowS, Tuning t) {
        d.flags &= ~DeviceTrust.HOUR_TO_LEARN;
        if (d.tier() != TrustTier.TRUSTED) {
            return;
        }
        int how = (int) ((now / DeviceTrust.HOUR_MS + 72) % 168);
        boolean in = (d.flags & DeviceTrust.OFF_HOUR) == 0;
        if (in || (long) nowS - d.scheduleS < t.maturitySeconds) {
            long mask = 1L << how;
            if (Cohort.bit(d.seen0, d.seen1, d.seen2, how)) {
                if (how < 64) d.twice0 |= mask; else if (how < 128) d.twice1 |= mask; else d.twice2 |= mask;
            } else {
                if (how < 64) d.seen0 |= mask; else if (how < 128) d.seen1 |= mask; else d.seen2 |= mask;
            }
        }
        if (in && d.requests >= t.warmup) {
            d.cohort.observe(d, how, d.interval, d.size, nowS);
        }
    }

    /**
     * Whether the device's own history has it active at this hour of the week: seen there (in two weeks,
     * once it is old enough), an hour either side, or at this hour the day before and after. A device
     * seen in nearly every hour of the week has no schedule to leave.
     */
    private static boolean ownHour(DeviceTrust d, int how, boolean twice) {
        if (alwaysOn(d)) {
            return true;
        }
        long w0 = twice ? d.twice0 : d.seen0;
        long w1 = twice ? d.twice1 : d.seen1;
        long w2 = twice ? d.twice2 : d.seen2;
        return near(w0, w1, w2, how) || near(w0, w1, w2, (how + 144) % 168) && near(w0, w1, w2, (how + 24) % 168);
    }

    /** Like {@link #ownHour} without the hour either side: where it may have queued readings while offline. */
    private static boolean ownActiveHour(DeviceTrust d, int how) {
        return alwaysOn(d) || Cohort.bit(d.seen0, d.seen1, d.seen2, how) || Cohort.bit(d.seen0, d.seen1, d.seen2, (how + 144) % 168)
                && Cohort.bit(d.seen0, d.seen1, d.seen2, (how + 24) % 168);
    }

    private static boolean alwaysOn(DeviceTrust d) {
        return Long.bitCount(d.seen0) + Long.bitCount(d.seen1) + Long.bitCount(d.seen2) >= ALWAYS_ON_HOURS;
    }

    private static boolean near(long w0, long w1, long w2, int how) {
        return Cohort.bit(w0, w1, w2, how) || Cohort.bit(w0, w1, w2, how == 0 ? 167 : how - 1)
                || Cohort.bit(w0, w1, w2, how == 167 ? 0 : how + 1);
    }

    /** Milliseconds of [from, to) in hours the device is normally active: what it may have queued. */
    static float activeMs(DeviceTrust d, long from, long to) {
        long age = (long) DeviceTrust.seconds(to) - d.scheduleS;
        boolean own = age >= d.cohort.tuning.maturitySeconds;
        if (!own && !d.cohort.scheduleMature()) {
            return to - from;
        }
        long h0 = from / DeviceTrust.HOUR_MS;
        long h1 = to / DeviceTrust.HOUR_MS;
        if (h1 - h0 >= 168) {
            return to - from; // a week or more away: whatever it queued, up to the cap
        }
        long active = 0;
        for (long h = h0; h <= h1; h++) {
            int how = (int) ((h + 72) % 168);
            if (own ? ownActiveHour(d, how) : d.cohort.usual(how)) {
                active += Math.min(to, (h + 1) * DeviceTrust.HOUR_MS) - Math.max(from, h * DeviceTrust.HOUR_MS);
            }
        }
        return active;
    }
}
