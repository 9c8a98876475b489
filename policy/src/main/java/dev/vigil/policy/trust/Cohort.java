package dev.vigil.policy.trust;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What the trusted devices of one profile have in common, learned from one observation per device and
 * active hour: how often they send (log-scale histogram of learned intervals), how much (histogram of
 * learned payload sizes), and in which hours of the week. New devices start from its medians; every
 * device's rate is held against its fastest 1 % (divided by the margin). One device among many cannot
 * move a percentile, so a device that drags its own baseline still leaves the cohort's range.
 */
final class Cohort {

    static final int BUCKETS = 128;
    private static final int PER_OCTAVE = 8;
    private static final int HOURS = 168;
    private static final int RECOMPUTE_EVERY = 64;
    private static final int DECAY_AT = 1 << 22;
    private static final byte VERSION = 1;

    final String name;
    final Tuning tuning;
    volatile ProfileLimits limits;
    private final AtomicIntegerArray hours = new AtomicIntegerArray(HOURS);
    private final AtomicIntegerArray intervals = new AtomicIntegerArray(BUCKETS);
    private final AtomicIntegerArray sizes = new AtomicIntegerArray(BUCKETS);
    private final AtomicInteger members = new AtomicInteger();
    private final AtomicInteger observations = new AtomicInteger();
    private volatile int firstSecond = Integer.MIN_VALUE;
    private volatile int lastSecond = Integer.MIN_VALUE;

    /** Derived, recomputed every {@value #RECOMPUTE_EVERY} observations. */
    private volatile boolean mature;
    private volatile boolean scheduleMature;
    private volatile float floorMs;
    private volatile float medianIntervalMs;
    private volatile float medianSize;
    private volatile long common0, common1, common2;

    Cohort(String name, Tuning tuning, ProfileLimits limits) {
        this.name = name;
        this.tuning = tuning;
        this.limits = limits;
        recompute();
    }

    /** One active hour of a trusted device past its warm-up. */
    void observe(DeviceTrust device, int hourOfWeek, float intervalMs, float size, int nowSecond) {
        boolean joined = device.joinCohort();
        if (joined) {
            members.incrementAndGet();
        }
        hours.incrementAndGet(hourOfWeek);
        intervals.incrementAndGet(intervalBucket(intervalMs));
        sizes.incrementAndGet(sizeBucket(size));
        if (firstSecond == Integer.MIN_VALUE) {
            firstSecond = nowSecond;
        }
        lastSecond = nowSecond;
        if (observations.incrementAndGet() % RECOMPUTE_EVERY == 0 || joined && !mature) {
            recompute();
        }
    }

    void leave() {
        members.updateAndGet(m -> Math.max(0, m - 1));
    }

    /** The shortest interval a device of this profile may keep up: the cohort's, or the declared one. */
    float floorMs() {
        return floorMs;
    }

    float initialIntervalMs() {
        return medianIntervalMs;
    }

    float initialSize() {
        return medianSize;
    }

    /** Whether the cohort has a week of hours to tell a young device's schedule by. */
    boolean scheduleMature() {
        return scheduleMature;
    }

    /** Whether devices of this profile are commonly active in this hour of the week. */
    boolean usual(int hourOfWeek) {
        return bit(common0, common1, common2, hourOfWeek);
    }

    static boolean bit(long w0, long w1, long w2, int hour) {
        long word = hour < 64 ? w0 : hour < 128 ? w1 : w2;
        return (word & 1L << hour) != 0;
    }

    synchronized void recompute() {
        int total = observations.get();
        if (total >= DECAY_AT) {
            halve(hours);
            halve(intervals);
            halve(sizes);
            observations.set(total / 2);
            total /= 2;
        }
        ProfileLimits declared = limits;
        boolean enough = members.get() >= tuning.settings.minCohort() && total >= 4 * tuning.settings.minCohort();
        float declaredFloor = (float) (1000 / declared.requestsPerSecond());
        if (enough) {
            // The fastest 1 %, but never fewer than two and a half devices' worth: in a small cohort a lone
            // device dragging its own rate up must not drag the ceiling along.
            float fastest = lowerEdgeMs(quantile(intervals, Math.max(0.01, 2.5 / members.get())));
            floorMs = Math.max(declaredFloor, (float) (fastest / tuning.settings.cohortMargin()));
            medianIntervalMs = centreMs(quantile(intervals, 0.5));
            medianSize = centreSize(quantile(sizes, 0.5));
        } else {
            floorMs = declaredFloor;
            medianIntervalMs = Math.max(declaredFloor, 60_000f);
            medianSize = Math.max(1, declared.maxPayload() / 8f);
        }
        mature = enough;
        scheduleMature = enough && lastSecond - firstSecond >= 7 * 86_400;
        int busiest = 0;
        for (int h = 0; h < HOURS; h++) {
            busiest = Math.max(busiest, hours.get(h));
        }
        long[] common = new long[3];
        for (int h = 0; h < HOURS; h++) {
            if (busiest > 0 && hours.get(h) * 50L > busiest) {
                common[h >>> 6] |= 1L << h;
            }
        }
        common0 = common[0];
        common1 = common[1];
        common2 = common[2];
    }

    private static void halve(AtomicIntegerArray counts) {
        for (int i = 0; i < counts.length(); i++) {
            counts.set(i, counts.get(i) / 2);
        }
    }

    private static int quantile(AtomicIntegerArray counts, double q) {
        long total = 0;
        for (int i = 0; i < counts.length(); i++) {
            total += counts.get(i);
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank && seen > 0) {
                return i;
            }
        }
        return counts.length() - 1;
    }

    static int intervalBucket(float intervalMs) {
        return bucket(intervalMs / 1000f);
    }

    static int sizeBucket(float size) {
        return bucket(size + 1);
    }

    private static int bucket(float value) {
        if (!(value > 1)) {
            return 0;
        }
        return Math.min(BUCKETS - 1, (int) (PER_OCTAVE * Math.log(value) / Math.log(2)));
    }

    private static float lowerEdgeMs(int bucket) {
        return (float) (1000 * Math.pow(2, bucket / (double) PER_OCTAVE));
    }

    private static float centreMs(int bucket) {
        return (float) (1000 * Math.pow(2, (bucket + 0.5) / PER_OCTAVE));
    }

    private static float centreSize(int bucket) {
        return (float) Math.max(1, Math.pow(2, (bucket + 0.5) / PER_OCTAVE) - 1);
    }

    byte[] export() {
        ByteBuffer out = ByteBuffer.allocate(1 + 4 * 4 + 4 * (HOURS + 2 * BUCKETS));
        out.put(VERSION).putInt(members.get()).putInt(observations.get()).putInt(firstSecond).putInt(lastSecond);
        for (int h = 0; h < HOURS; h++) {
            out.putInt(hours.get(h));
        }
        for (int i = 0; i < BUCKETS; i++) {
            out.putInt(intervals.get(i));
        }
        for (int i = 0; i < BUCKETS; i++) {
            out.putInt(sizes.get(i));
        }
        return out.array();
    }

    void restore(byte[] snapshot) {
        ByteBuffer in = ByteBuffer.wrap(snapshot);
        if (snapshot.length != 1 + 4 * 4 + 4 * (HOURS + 2 * BUCKETS) || in.get() != VERSION) {
            throw new IllegalArgumentException("not a version " + VERSION + " cohort snapshot of " + name
                    + " (" + snapshot.length + " bytes)");
        }
        members.set(in.getInt());
        observations.set(in.getInt());
        firstSecond = in.getInt();
        lastSecond = in.getInt();
        for (int h = 0; h < HOURS; h++) {
            hours.set(h, in.getInt());
        }
        for (int i = 0; i < BUCKETS; i++) {
            intervals.set(i, in.getInt());
        }
        for (int i = 0; i < BUCKETS; i++) {
            sizes.set(i, in.getInt());
        }
        recompute();
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "cohort %s: %d devices%s, median interval %.0f s, ceiling one per"
                + " %.0f s, median payload %.0f B", name, members.get(), mature ? "" : " (too few: declared limits)",
                medianIntervalMs / 1000, floorMs / 1000, medianSize);
    }
}
