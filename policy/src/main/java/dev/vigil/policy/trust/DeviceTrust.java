package dev.vigil.policy.trust;

import dev.vigil.policy.Decision;
import dev.vigil.policy.DenyReason;
import dev.vigil.policy.TrustTier;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One device as the trust engine knows it: learned baselines, counted signals, its sessions, score and
 * tier, in 256 bytes of primitives (no arrays, no per-request allocation). The server keeps the one
 * {@link TrustEngine#device} returns with the device's session and passes it to every observation.
 *
 * <p>Every change happens under a tiny spin lock in the object (one compare-and-set to take, one
 * release store to give back); {@link #tier()} reads without it.
 *
 * <p>Rate is a credit: each request to the device's main resource spends one, time earns them back at
 * the learned rate, at most one ahead; requests beyond that are the overdraft the RATE signal reads.
 * Silence in hours the device is normally active fills a bank (queued readings) that a flush may spend,
 * and a new session earns one request (a reboot's early first request). Bytes work alike, in payloads.
 */
public final class DeviceTrust {

    static final long BASE_MS = 1_577_836_800_000L; // 2020-01-01T00:00Z: seconds fields count from here
    static final long HOUR_MS = 3_600_000L;
    static final int UNSET = Integer.MIN_VALUE;
    private static final float GAP = 3f;
    private static final float LEAK = 0.9f;
    private static final float MAX_OVERDRAFT = 8f;
    private static final float MAX_BYTE_OVERDRAFT = 32f;
    private static final float BANK_MARGIN = 1.25f;
    private static final int MAX_VOTES = 64;

    static final int SUSPEND_ISSUED = 1;
    static final int FIRMWARE_MISMATCH = 2;
    static final int OFF_HOUR = 4;
    static final int LEVELS = 8;
    static final int MEMBER = 16;
    static final int LAST_PRIMARY = 32;
    /** Faster than the cohort's ceiling; cleared only 10 % below it (hysteresis). */
    static final int FAST = 64;
    /** The hour began and no regular request of it was learned from yet. */
    static final int HOUR_TO_LEARN = 128;

    private static final VarHandle LOCK;
    private static final boolean[] IGNORED = new boolean[DenyReason.values().length];

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(DeviceTrust.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        // Refusals of the device's own tier, firmware or profile are consequences, not behaviour.
        IGNORED[DenyReason.TRUST_TIER_TOO_LOW.ordinal()] = true;
        IGNORED[DenyReason.FIRMWARE_UNKNOWN.ordinal()] = true;
        IGNORED[DenyReason.FIRMWARE_TOO_OLD.ordinal()] = true;
        IGNORED[DenyReason.UNKNOWN_PROFILE.ordinal()] = true;
        IGNORED[DenyReason.UNKNOWN_ROLE.ordinal()] = true;
    }

    final long deviceId;
    final Cohort cohort;
    private volatile int lock;
    private volatile byte tier = (byte) TrustTier.TRUSTED.ordinal();
    /** 0, or 1 + the ordinal of the tier an operator pinned. */
    byte pinned;
    byte flags;
    /** Bit i: severe signal CLONE + i seen since the last release. */
    byte severe;
    short votes;
    int primary;
    /** Requests learned from since creation or release, saturating. */
    int requests;
    int firstS = UNSET;
    int scheduleS = UNSET;
    int dirtyS = UNSET;
    int eventS = UNSET;
    int sequence;
    // Fields are laid out by size, longs first, in declaration order: those every request touches come first,
    // so that it touches three of the four cache lines.
    long lastMs;
    long conn;
    long addr;
    long used;
    long prevConn;
    long prevAddr;
    long newerMs = Long.MIN_VALUE;
    float interval;
    float credit;
    float bank;
    float size;
    float sizeDev;
    float byteCredit;
    float byteBank;
    long seen0, seen1, seen2;
    long twice0, twice1, twice2;
    long denied;
    float off, denials, others, fresh, failures, refusals, churn;
    /** Sessions off the gateway (a relay child); requests beyond the children's aggregate (a gateway). */
    float offGateway, excess;
    long recent0, recent1;

    DeviceTrust(long deviceId, Cohort cohort) {
        this.deviceId = deviceId;
        this.cohort = cohort;
    }

    public long deviceId() {
        return deviceId;
    }

    public String profile() {
        return cohort.name;
    }

    /** The current tier; a lock-free read for the request path. */
    public TrustTier tier() {
        return TIERS[tier];
    }

    private static final TrustTier[] TIERS = TrustTier.values();
    private static final byte TRUSTED = (byte) TrustTier.TRUSTED.ordinal();

    void restoreTier(int ordinal) {
        tier = (byte) ordinal;
    }

    void lock() {
        if (!LOCK.compareAndSet(this, 0, 1)) {
            int spins = 0;
            while (!LOCK.compareAndSet(this, 0, 1)) {
                if (++spins < 100) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
    }

    void unlock() {
        LOCK.setRelease(this, 0);
    }

    static int seconds(long millis) {
        return (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, (millis - BASE_MS) / 1000));
    }

    // ---- observations (under the lock) ----

    TrustChange request(long now, long connection, long address, int resource, int method, int bytes,
            Decision decision) {
        Tuning t = cohort.tuning;
        int nowS = seconds(now);
        begin(nowS, t);
        boolean clone = activity(now, connection, address);
        if (clone) {
            severe |= bit(TrustSignal.CLONE);
        }
        boolean allowed = decision == Decision.ALLOW || decision.allowed();
        if (!allowed) {
            if (decision.rateLimited()) {
                // 4.29 is the declared limit at work; the reading will come again. Hammering shows in the
                // allowed requests (which keep coming at the declared rate, far above the device's own).
                return evaluate(now, nowS, t);
            }
            refused(decision, resource);
        }
        long hour = now / HOUR_MS;
        if (lastMs == 0 || hour != lastMs / HOUR_MS) {
            Hours.roll(this, hour, nowS, t);
        }
        boolean main = vote(resource);
        float dt = lastMs == 0 ? 0 : Math.max(0, now - lastMs);
        if (requests == 0) {
            start();
        }
        float x = dt / interval;
        boolean paid = false;
        boolean flushing = false;
        if (x > GAP && lastMs != 0) {
            float queued = Math.min(t.bankCap, Hours.activeMs(this, lastMs, now) / interval * BANK_MARGIN);
            bank = Math.min(t.bankCap, bank + queued);
            byteBank = Math.min(t.bankCap * size, byteBank + queued * size);
            flushing = queued >= 1; // the first of a flush says nothing of when the device is active
        }
        if (main) {
            float c = credit < 0 ? credit * LEAK : credit;
            c = Math.min(c + x, 1f) - 1f;
            if (c < -0.25f && bank >= 0.5f) {
                bank = Math.max(0, bank - 1);
                c += 1;
                paid = true;
            }
            credit = Math.max(c, -MAX_OVERDRAFT);
        } else {
            credit = Math.min(credit + x, 1f);
            if (allowed) { // a refusal counts as one already
                others += 1;
                flags |= LEVELS;
            }
        }
        float b = byteCredit < 0 ? byteCredit * LEAK : byteCredit;
        b = Math.min(b + x * size, size + 4 * sizeDev) - (main ? bytes : 0); // services carry their own limits
        if (b < -0.25f * size && byteBank > 0) {
            float pay = Math.min(-b, byteBank);
            byteBank -= pay;
            b += pay;
            paid = true;
        }
        byteCredit = Math.max(b, -MAX_BYTE_OVERDRAFT * size);
        if (!paid && x >= 0.5f && x <= GAP) {
            bank = 0; // back to its own pace: whatever it had queued is flushed, or never will be
            byteBank = 0;
        }
        if (allowed && main && !paid) {
            learn(dt, bytes, t);
            if ((flags & HOUR_TO_LEARN) != 0 && !flushing) {
                Hours.learn(this, now, nowS, t);
            }
        }
        if ((flags & OFF_HOUR) != 0 && !paid) {
            off += 1;
            flags |= LEVELS;
        }
        if (allowed) {
            long bit = 1L << (resource * 7 + method);
            if ((used & bit) == 0) {
                used |= bit;
                if (requests >= 4 * t.warmup) {
                    fresh += 1;
                    flags |= LEVELS;
                }
            }
        }
        flags = (byte) (main ? flags | LAST_PRIMARY : flags & ~LAST_PRIMARY);
        float floor = cohort.floorMs();
        if (interval < floor) {
            flags |= FAST;
        } else if (interval >= 1.1f * floor) {
            flags &= ~FAST;
        }
        lastMs = now;
        return evaluate(now, nowS, t);
    }

    TrustChange handshake(long now, long connection, long address) {
        Tuning t = cohort.tuning;
        int nowS = seconds(now);
        begin(nowS, t);
        if (connection != conn) {
            if (requests > 0 && now - newerMs > interval) {
                bank = Math.max(bank, 1); // a reboot's first request comes early
                byteBank = Math.max(byteBank, size + 4 * sizeDev);
            }
            newConnection(now, connection, address);
        } else if (address != addr) {
            addr = address;
            churned();
        }
        return evaluate(now, nowS, t);
    }

    TrustChange activityOnly(long now, long connection, long address) {
        Tuning t = cohort.tuning;
        int nowS = seconds(now);
        begin(nowS, t);
        if (activity(now, connection, address)) {
            severe |= bit(TrustSignal.CLONE);
        }
        return evaluate(now, nowS, t);
    }

    void closed(long connection) {
        if (connection == prevConn) {
            prevConn = 0;
        }
        if (connection == conn) {
            conn = 0;
        }
    }

    TrustChange handshakeRefused(long now, HandshakeRefusal reason) {
        Tuning t = cohort.tuning;
        int nowS = seconds(now);
        begin(nowS, t);
        switch (reason) {
            case SUSPENDED_KEY:
                refusals += 1;
                break;
            case TOMBSTONED_KEY:
                severe |= bit(TrustSignal.TOMBSTONED_KEY);
                break;
            default:
                failures += 1;
                if (failures > t.stuffing - 0.5f) { // that many within a few minutes
                    severe |= bit(TrustSignal.CREDENTIAL_STUFFING);
                }
        }
        flags |= LEVELS;
        return evaluate(now, nowS, t);
    }

    /** A gateway fence signal: {@link TrustSignal#OFF_GATEWAY} or {@link TrustSignal#GATEWAY_EXCESS}. */
    TrustChange gatewayEvent(long now, TrustSignal signal) {
        Tuning t = cohort.tuning;
        int nowS = seconds(now);
        begin(nowS, t);
        if (signal == TrustSignal.OFF_GATEWAY) {
            offGateway += 1;
        } else {
            excess += 1;
        }
        flags |= LEVELS;
        return evaluate(now, nowS, t);
    }

    TrustChange firmware(long now, boolean matches) {
        Tuning t = cohort.tuning;
        int nowS = seconds(now);
        begin(nowS, t);
        flags = (byte) (matches ? flags & ~FIRMWARE_MISMATCH : flags | FIRMWARE_MISMATCH);
        return evaluate(now, nowS, t);
    }

    TrustChange release(long now) {
        int nowS = seconds(now);
        begin(nowS, cohort.tuning);
        off = denials = others = fresh = failures = refusals = churn = offGateway = excess = 0;
        denied = 0;
        severe = 0;
        flags &= ~(SUSPEND_ISSUED | FIRMWARE_MISMATCH | LEVELS | OFF_HOUR);
        credit = 0;
        byteCredit = 0;
        requests = 0; // relearn rate and size from the cohort's start, quickly
        scheduleS = nowS; // and the hours of the week, with the cohort's meanwhile
        pinned = 0;
        dirtyS = UNSET;
        return operator(now, TrustTier.TRUSTED, nowS);
    }

    TrustChange pin(long now, TrustTier pin) {
        int nowS = seconds(now);
        begin(nowS, cohort.tuning);
        pinned = (byte) (pin == null ? 0 : pin.ordinal() + 1);
        return operator(now, pin == null ? tier() : pin, nowS);
    }

    /**
     * Takes a tier another node's engine decided (see {@link TrustEngine#adopt}); false if pinned or already there.
     * A lower tier marks now as unclean, so recovering from it needs this engine's clean period too.
     */
    boolean adopt(long now, TrustTier to) {
        TrustTier from = TIERS[tier];
        if (pinned != 0 || from == to) {
            return false;
        }
        if (to.compareTo(from) < 0) {
            dirtyS = seconds(now);
        }
        tier = (byte) to.ordinal();
        return true;
    }

    /** The tier an operator pinned, or null. */
    public TrustTier pinnedTier() {
        return pinned == 0 ? null : TIERS[pinned - 1];
    }

    boolean joinCohort() {
        if ((flags & MEMBER) != 0) {
            return false;
        }
        flags |= MEMBER;
        return true;
    }

    // ---- the parts ----

    private void begin(int nowS, Tuning t) {
        if (firstS == UNSET) {
            firstS = nowS;
            scheduleS = nowS;
            eventS = nowS;
            dirtyS = UNSET;
            return;
        }
        int dt = nowS - eventS;
        if (dt <= 0) {
            return;
        }
        eventS = nowS;
        if ((flags & LEVELS) == 0) {
            return;
        }
        float e = dt * t.eventLeakPerSecond;
        float c = dt * t.churnLeakPerSecond;
        off = Math.max(0, off - e);
        denials = Math.max(0, denials - e);
        others = Math.max(0, others - e);
        failures = Math.max(0, failures - e);
        refusals = Math.max(0, refusals - e);
        offGateway = Math.max(0, offGateway - e);
        excess = Math.max(0, excess - e);
        fresh = Math.max(0, fresh - c);
        churn = Math.max(0, churn - c);
        if (denials == 0) {
            denied = 0;
        }
        if (off + denials + others + failures + refusals + fresh + churn + offGateway + excess == 0) {
            flags &= ~LEVELS;
        }
    }

    /** First request since creation or release: start from the cohort's (or the declared) figures. */
    private void start() {
        if (interval == 0 || firstS == UNSET) {
            interval = cohort.initialIntervalMs();
            size = cohort.initialSize();
            sizeDev = size / 2;
        }
        credit = 0;
        byteCredit = 0;
    }

    /** Learns from an allowed request to the main resource that was not part of a flush. */
    private void learn(float dt, int bytes, Tuning t) {
        int n = requests;
        boolean warm = n < t.warmup;
        float a = warm ? 1f / (n + 1) : t.learningRate;
        float gapWeight = warm ? 1f / Math.max(1, n) : t.learningRate; // the first gap replaces the guess
        if ((flags & LAST_PRIMARY) != 0 && lastMs != 0) {
            // After the warm-up a gap is silence, not a slower rate, and a longer interval is learned half
            // an interval at a time; early requests beyond the tolerance (a flood) are not learned at all.
            if (warm) {
                // unclamped, but no more than three times the estimate at once: an early gap is not a rate
                interval += gapWeight * (Math.min(dt, GAP * Math.max(interval, cohort.initialIntervalMs())) - interval);
            } else if (dt <= GAP * interval && -credit <= t.rateTolerance + 1) {
                interval += a * (Math.min(dt, 1.5f * interval) - interval);
            }
            interval = Math.max(interval, 1f);
        }
        float sigma = 4 * sizeDev;
        if (warm || -byteCredit <= (t.volumeTolerance * size + sigma)) {
            float deviation = bytes - size;
            size = Math.max(1f, size + a * deviation);
            // At least 1 % of the size: a fixed-size payload must not decay its deviation into subnormal
            // floats, whose arithmetic is a hundred times slower.
            sizeDev = Math.max(sizeDev + a * (Math.abs(deviation) - sizeDev), 0.01f * size);
        }
        if (n + 1 == t.warmup) {
            credit = 0; // what the guess it started from got wrong is not the device's overdraft
            byteCredit = 0;
        }
        if (n < Integer.MAX_VALUE) {
            requests = n + 1;
        }
    }

    private boolean vote(int resource) {
        if (resource == primary) {
            if (votes < MAX_VOTES) {
                votes++;
            }
            return true;
        }
        if (--votes < 0) {
            primary = resource;
            votes = 0;
            return true;
        }
        return false;
    }

    private void refused(Decision decision, int resource) {
        DenyReason reason = decision.reason().get();
        if (IGNORED[reason.ordinal()]) {
            return;
        }
        if (reason == DenyReason.OUTSIDE_SCHEDULE) {
            off += 1;
        } else {
            denials += 1;
            denied |= 1L << resource;
        }
        flags |= LEVELS;
    }

    /** Activity on one of the device's connections: NAT rebinding moves it; the previous one live again is a clone. */
    private boolean activity(long now, long connection, long address) {
        if (connection == conn) {
            if (address != addr) {
                addr = address;
                churned();
            }
            return false;
        }
        if (connection == prevConn && connection != 0) {
            return now >= newerMs && address != addr;
        }
        newConnection(now, connection, address);
        return false;
    }

    private void newConnection(long now, long connection, long address) {
        prevConn = conn;
        prevAddr = addr;
        conn = connection;
        if (address != addr && addr != 0) {
            churned();
        }
        addr = address;
        newerMs = now;
    }

    private void churned() {
        churn += 1;
        flags |= LEVELS;
    }

    static byte bit(TrustSignal severeSignal) {
        return (byte) (1 << (severeSignal.ordinal() - TrustSignal.CLONE.ordinal()));
    }

    // ---- score and tier ----

    /** Points off the score; fills {@code out} (by signal ordinal) when given. */
    float penalty(float[] out, Tuning t) {
        float total = 0;
        float v;
        if (requests >= t.warmup) {
            v = t.wRate * clamp(Math.max(-credit - t.rateTolerance, (others - t.otherTolerance) / 2));
            total += v;
            if (out != null) out[TrustSignal.RATE.ordinal()] = v;
            v = t.wVolume * clamp((-byteCredit / size - t.volumeTolerance - 4 * sizeDev / size) / 2);
            total += v;
            if (out != null) out[TrustSignal.VOLUME.ordinal()] = v;
        } else {
            v = t.wRate * clamp((others - t.otherTolerance) / 2);
            total += v;
            if (out != null) out[TrustSignal.RATE.ordinal()] = v;
        }
        if (requests >= t.warmup && (flags & FAST) != 0) {
            total += t.wCohort;
            if (out != null) out[TrustSignal.COHORT_RATE.ordinal()] = t.wCohort;
        }
        if ((flags & LEVELS) != 0) {
            v = t.wSchedule * clamp(off / t.offSaturation);
            total += v;
            if (out != null) out[TrustSignal.SCHEDULE.ordinal()] = v;
            v = t.wNew * clamp(fresh);
            total += v;
            if (out != null) out[TrustSignal.NEW_RESOURCE.ordinal()] = v;
            v = t.wDenials * clamp(denials / t.denialSaturation);
            total += v;
            if (out != null) out[TrustSignal.DENIALS.ordinal()] = v;
            v = t.wScan * clamp((Long.bitCount(denied) - 1) / t.scanSpan);
            total += v;
            if (out != null) out[TrustSignal.SCANNING.ordinal()] = v;
            v = t.wFailures * clamp(failures / t.failureSaturation);
            total += v;
            if (out != null) out[TrustSignal.HANDSHAKE_FAILURES.ordinal()] = v;
            v = t.wSuspended * clamp(refusals / t.failureSaturation);
            total += v;
            if (out != null) out[TrustSignal.SUSPENDED_KEY.ordinal()] = v;
            v = t.wChurn * clamp((churn - t.churnTolerance) / t.churnTolerance);
            total += v;
            if (out != null) out[TrustSignal.ADDRESS_CHURN.ordinal()] = v;
            v = t.wOffGateway * clamp(offGateway / t.failureSaturation);
            total += v;
            if (out != null) out[TrustSignal.OFF_GATEWAY.ordinal()] = v;
            v = t.wExcess * clamp(excess / t.denialSaturation);
            total += v;
            if (out != null) out[TrustSignal.GATEWAY_EXCESS.ordinal()] = v;
        }
        if ((flags & FIRMWARE_MISMATCH) != 0) {
            total += t.wFirmware;
            if (out != null) out[TrustSignal.FIRMWARE.ordinal()] = t.wFirmware;
        }
        if (severe != 0) {
            total = 100;
            if (out != null) {
                for (TrustSignal s : new TrustSignal[] {TrustSignal.CLONE, TrustSignal.CREDENTIAL_STUFFING,
                        TrustSignal.TOMBSTONED_KEY}) {
                    out[s.ordinal()] = (severe & bit(s)) != 0 ? 100 : 0;
                }
            }
        }
        return total;
    }

    private static float clamp(float v) {
        return v <= 0 ? 0 : v >= 1 ? 1 : v;
    }

    int score(Tuning t) {
        if (severe != 0) {
            return 0;
        }
        return calm(t) ? 100 : Math.max(0, 100 - Math.round(penalty(null, t)));
    }

    /** Whether every signal is at zero, without a division: the common case, and the fast path. */
    private boolean calm(Tuning t) {
        return (flags & (LEVELS | FIRMWARE_MISMATCH | FAST)) == 0 && -credit <= t.rateTolerance
                && -byteCredit <= t.volumeTolerance * size + 4 * sizeDev;
    }

    /** Brings the levels up to {@code now} without an observation, for reading the score. */
    void catchUp(long now) {
        begin(seconds(now), cohort.tuning);
    }

    private TrustChange evaluate(long now, int nowS, Tuning t) {
        if (tier == TRUSTED && (pinned | severe) == 0 && calm(t)) {
            return null; // the common case: nothing to change
        }
        int score = score(t);
        if (score < t.recoverAt) {
            dirtyS = nowS;
        }
        TrustTier from = TIERS[tier];
        TrustTier to = from;
        if (pinned != 0) {
            to = TIERS[pinned - 1];
        } else if (score < t.quarantinedBelow) {
            to = TrustTier.QUARANTINED;
        } else if (from == TrustTier.TRUSTED && score < t.limitedBelow) {
            to = TrustTier.LIMITED;
        } else if (from == TrustTier.LIMITED && score >= t.recoverAt
                && (dirtyS == UNSET || (long) nowS - dirtyS >= t.cleanSeconds)) {
            to = TrustTier.TRUSTED;
        }
        boolean suspend = severe != 0 && (flags & SUSPEND_ISSUED) == 0;
        if (suspend) {
            flags |= SUSPEND_ISSUED;
            if (pinned == 0) {
                to = TrustTier.QUARANTINED;
            }
        }
        if (to == from && !suspend) {
            return null;
        }
        return change(from, to, suspend, score, now, nowS, false);
    }

    private TrustChange operator(long now, TrustTier to, int nowS) {
        TrustTier from = TIERS[tier];
        return change(from, to, false, score(cohort.tuning), now, nowS, true);
    }

    private TrustChange change(TrustTier from, TrustTier to, boolean suspend, int score, long now, int nowS,
            boolean operator) {
        List<Contribution> causes = operator ? List.of() : contributions(cohort.tuning);
        sequence++;
        if (to != from) {
            tier = (byte) to.ordinal();
        }
        long top = causes.isEmpty() ? 0xFF : causes.get(0).signal().ordinal();
        recent1 = recent0;
        recent0 = (long) nowS << 32 | top << 24 | (long) score << 16 | (long) to.ordinal() << 8
                | (suspend ? 1 : 0) | (operator ? 2 : 0);
        return new TrustChange(deviceId, cohort.name, from, to, suspend, score, causes, now, sequence, operator);
    }

    List<Contribution> contributions(Tuning t) {
        float[] points = new float[TrustSignal.values().length];
        penalty(points, t);
        List<Contribution> list = new ArrayList<>();
        for (TrustSignal signal : TrustSignal.values()) {
            int p = Math.round(points[signal.ordinal()]);
            if (p > 0) {
                list.add(new Contribution(signal, p));
            }
        }
        list.sort(Comparator.comparingInt(Contribution::points).reversed());
        return list;
    }

    @Override
    public String toString() {
        return "device " + deviceId + " (" + cohort.name + ") " + tier();
    }
}
