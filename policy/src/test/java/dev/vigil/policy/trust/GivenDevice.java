package dev.vigil.policy.trust;

import dev.vigil.policy.Decision;
import dev.vigil.policy.Method;
import dev.vigil.policy.TrustTier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One device of a profile "sensor" in simulated time: {@code GivenDevice.reporting(MINUTE).for_(DAY)}. */
final class GivenDevice {

    static final long T0 = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();
    static final long SECOND = 1000;
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;
    static final ProfileLimits LIMITS = new ProfileLimits(1, 1024);
    static final int T = 0;

    final List<TrustChange> changes = Collections.synchronizedList(new ArrayList<>());
    final TrustEngine engine;
    final DeviceTrust device;
    final long period;
    long now = T0;
    long connection = 1;
    long address = 100;
    private int tick;

    GivenDevice(TrustSettings settings, long period) {
        this.engine = new TrustEngine(settings, changes::add, 100);
        this.device = engine.device(7, "sensor", LIMITS);
        this.period = period;
        engine.onHandshake(device, now, connection, address, false);
    }

    /** A device reporting 100 B (+- 5) every {@code period} (+- 5 %). */
    static GivenDevice reporting(long period) {
        return new GivenDevice(TrustSettings.defaults(), period);
    }

    static GivenDevice reporting(long period, TrustSettings settings) {
        return new GivenDevice(settings, period);
    }

    /** Reports at its own pace for {@code duration}. */
    GivenDevice for_(long duration) {
        long until = now + duration;
        while (now + period <= until) {
            now += period + jitter(period / 20);
            report();
        }
        now = Math.max(now, until);
        return this;
    }

    GivenDevice for_(Duration duration) {
        return for_(duration.toMillis());
    }

    TrustTier report() {
        return request(T, 100 + (int) jitter(5), Decision.ALLOW);
    }

    TrustTier request(int resource, int bytes, Decision decision) {
        return engine.onRequest(device, now, connection, address, resource, Method.POST, bytes, decision);
    }

    /** {@code count} extra reports {@code gap} apart, starting now; returns the time the tier first left TRUSTED, or -1. */
    long flood(int count, long gap) {
        long start = now;
        for (int i = 0; i < count; i++) {
            if (report() != TrustTier.TRUSTED) {
                return now - start;
            }
            now += gap;
        }
        return -1;
    }

    GivenDevice after(long millis) {
        now += millis;
        return this;
    }

    TrustTier tier() {
        return engine.tier(device);
    }

    /** Deterministic jitter in [-amplitude, amplitude]. */
    private long jitter(long amplitude) {
        tick = tick * 1103515245 + 12345;
        return amplitude == 0 ? 0 : Math.floorMod(tick >>> 8, 2 * amplitude + 1) - amplitude;
    }
}
