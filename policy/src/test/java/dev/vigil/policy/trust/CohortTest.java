package dev.vigil.policy.trust;

import static dev.vigil.policy.trust.GivenDevice.DAY;
import static dev.vigil.policy.trust.GivenDevice.MINUTE;
import static dev.vigil.policy.trust.GivenDevice.SECOND;
import static dev.vigil.policy.trust.GivenDevice.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.policy.Decision;
import dev.vigil.policy.Method;
import dev.vigil.policy.TrustTier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Devices compared with the others of their profile: the cold start, and baselines that will not be dragged. */
class CohortTest {

    private static final ProfileLimits METER = new ProfileLimits(0.1, 1024);
    private static final long PERIOD = 5 * MINUTE;

    private final List<TrustChange> changes = new ArrayList<>();
    private final TrustEngine engine = new TrustEngine(TrustSettings.defaults(), changes::add, 1000);
    private final List<DeviceTrust> fleet = new ArrayList<>();

    CohortTest() {
        for (int id = 0; id < 25; id++) {
            DeviceTrust meter = engine.device(id, "meter", METER);
            engine.onHandshake(meter, T0, id + 1, id, false);
            fleet.add(meter);
        }
    }

    @Test
    void a_device_that_drags_its_own_baseline_still_leaves_its_cohorts_range() {
        long creepFrom = T0 + 3 * DAY;
        long[] next = new long[fleet.size()];
        for (int id = 0; id < next.length; id++) {
            next[id] = T0 + id * 10 * SECOND;
        }
        long end = T0 + 8 * DAY;
        for (long now = T0; now < end; now += SECOND) {
            for (int id = 0; id < next.length; id++) {
                if (next[id] > now) {
                    continue;
                }
                report(id, now, 100);
                double speedUp = id == 0 && now > creepFrom ? Math.pow(1.1, (now - creepFrom) / (double) DAY) : 1;
                next[id] = now + (long) (PERIOD / speedUp) + (id * 7919 + now / SECOND) % 11 * SECOND - 5 * SECOND;
            }
        }

        assertThat(changes).as(engine.explain(fleet.get(0), end).toString()).isNotEmpty().allSatisfy(change -> assertThat(change.deviceId()).isZero());
        TrustChange caught = changes.get(0);
        assertThat(caught.to()).isEqualTo(TrustTier.LIMITED);
        assertThat(caught.causes()).extracting(Contribution::signal).containsExactly(TrustSignal.COHORT_RATE);
        // 10 % a day leaves 1.25 x the fastest healthy meter (5 min +- 5 s) after some 3 days, not at once
        assertThat(caught.atMillis() - creepFrom).isBetween(2 * DAY, 4 * DAY);
    }

    @Test
    void a_new_device_is_held_to_its_cohort_until_it_has_a_history() {
        for (long now = T0; now < T0 + DAY; now += PERIOD) {
            for (int id = 0; id < fleet.size(); id++) {
                report(id, now + id * SECOND, 100);
            }
        }
        DeviceTrust newcomer = engine.device(100, "meter", METER);
        engine.onHandshake(newcomer, T0 + DAY, 101, 100, false);

        long now = T0 + DAY;
        while (engine.tier(newcomer) == TrustTier.TRUSTED && now < T0 + DAY + 10 * MINUTE) {
            engine.onRequest(newcomer, now, 101, 100, 0, Method.POST, 100, Decision.ALLOW);
            now += PERIOD / 10;
        }

        assertThat(engine.tier(newcomer)).as(changes + "\n" + engine.explain(newcomer, now)).isEqualTo(TrustTier.LIMITED);
        assertThat(changes).singleElement().satisfies(change -> assertThat(change.causes())
                .extracting(Contribution::signal).containsExactly(TrustSignal.COHORT_RATE));
        assertThat(engine.explain(newcomer, now).baseline().get("cohort")).contains("25 devices", "median interval 292 s");
    }

    private void report(int id, long now, int bytes) {
        engine.onRequest(fleet.get(id), now, id + 1, id, 0, Method.POST, bytes, Decision.ALLOW);
    }
}
