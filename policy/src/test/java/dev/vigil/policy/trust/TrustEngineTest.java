package dev.vigil.policy.trust;

import static dev.vigil.policy.trust.GivenDevice.DAY;
import static dev.vigil.policy.trust.GivenDevice.HOUR;
import static dev.vigil.policy.trust.GivenDevice.MINUTE;
import static dev.vigil.policy.trust.GivenDevice.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.policy.Decision;
import dev.vigil.policy.DenyReason;
import dev.vigil.policy.TrustTier;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrustEngineTest {

    @Test
    void a_tenfold_flood_goes_limited_within_a_minute() {
        GivenDevice sensor = GivenDevice.reporting(5 * MINUTE).for_(2 * DAY);
        assertThat(sensor.changes).isEmpty();

        long contained = sensor.after(2 * MINUTE).flood(20, 30 * SECOND);

        assertThat(contained).isBetween(0L, 60 * SECOND);
        assertThat(sensor.changes).singleElement().satisfies(change -> {
            assertThat(change.to()).isEqualTo(TrustTier.LIMITED);
            assertThat(change.suspend()).isFalse();
            assertThat(change.causes().get(0).signal()).isEqualTo(TrustSignal.RATE);
        });
    }

    @Test
    void a_clone_live_beside_the_device_is_suspended() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);

        sensor.engine.onHandshake(sensor.device, sensor.now, 99, 5_000, false); // the clone, elsewhere
        sensor.engine.onSessionActivity(sensor.device, sensor.now + 80, sensor.connection, sensor.address); // ping answered

        assertThat(sensor.changes).singleElement().satisfies(change -> {
            assertThat(change.suspend()).isTrue();
            assertThat(change.to()).isEqualTo(TrustTier.QUARANTINED);
            assertThat(change.causes()).extracting(Contribution::signal).containsExactly(TrustSignal.CLONE);
        });
        sensor.after(MINUTE).report();
        assertThat(sensor.changes).hasSize(1); // one verdict, not one per observation
    }

    @Test
    void nat_rebinding_is_not_a_clone() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);

        sensor.address = 101; // same session, new address
        sensor.for_(HOUR);
        sensor.engine.onSessionActivity(sensor.device, sensor.now, sensor.connection, 102);
        sensor.address = 102;
        sensor.for_(HOUR);

        assertThat(sensor.changes).isEmpty();
        assertThat(sensor.tier()).isEqualTo(TrustTier.TRUSTED);
    }

    @Test
    void a_reboot_is_not_a_clone_nor_a_burst() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);

        sensor.after(10 * SECOND);
        sensor.connection = 2;
        sensor.address = 101; // new source port, the old session silently abandoned
        sensor.engine.onHandshake(sensor.device, sensor.now, 2, 101, false);
        sensor.report(); // its first reading comes soon after the previous one
        sensor.for_(DAY);

        assertThat(sensor.changes).isEmpty();
    }

    @Test
    void an_offline_device_flushing_its_queue_is_not_a_flood() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(2 * DAY);

        sensor.after(6 * HOUR);
        sensor.address = 101;
        for (int i = 0; i < 360; i++) {
            sensor.report();
            sensor.after(300);
        }
        sensor.for_(HOUR);

        assertThat(sensor.changes).isEmpty();
    }

    @Test
    void a_queue_flushed_in_one_pack_is_not_exfiltration() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(2 * DAY);

        sensor.after(2 * HOUR).request(GivenDevice.T, 120 * 100, Decision.ALLOW);
        sensor.for_(HOUR);

        assertThat(sensor.changes).isEmpty();
    }

    @Test
    void exfiltration_sized_payloads_go_limited_at_once() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(2 * DAY);

        TrustTier tier = sensor.after(MINUTE).request(GivenDevice.T, 1000, Decision.ALLOW);

        assertThat(tier).isEqualTo(TrustTier.LIMITED);
        assertThat(sensor.changes.get(0).causes().get(0).signal()).isEqualTo(TrustSignal.VOLUME);
    }

    @Test
    void scanning_for_resources_goes_limited_in_seconds() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);

        for (int probe = 1; probe <= 4; probe++) {
            sensor.after(SECOND).request(10 + probe, 0, Decision.deny(DenyReason.RESOURCE_NOT_ALLOWED));
        }

        assertThat(sensor.tier()).isEqualTo(TrustTier.LIMITED);
        assertThat(sensor.changes.get(0).causes()).extracting(Contribution::signal).contains(TrustSignal.SCANNING);
    }

    @Test
    void refusals_for_its_own_tier_are_not_held_against_it() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);

        for (int i = 0; i < 20; i++) {
            sensor.after(SECOND).request(3, 0, Decision.deny(DenyReason.TRUST_TIER_TOO_LOW));
        }

        assertThat(sensor.changes).isEmpty();
    }

    @Test
    void credential_stuffing_with_its_key_is_suspended_within_seconds() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);

        int attempts = 0;
        while (sensor.changes.isEmpty() && attempts < 100) {
            sensor.engine.onHandshakeRefused(sensor.device, sensor.after(200).now, HandshakeRefusal.PROOF_FAILED);
            attempts++;
        }

        assertThat(attempts).isEqualTo(5);
        assertThat(sensor.changes.get(0).suspend()).isTrue();
        assertThat(sensor.changes.get(0).causes().get(0).signal()).isEqualTo(TrustSignal.CREDENTIAL_STUFFING);
    }

    @Test
    void a_failed_handshake_now_and_then_costs_points_but_not_the_tier() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);

        sensor.engine.onHandshakeRefused(sensor.device, sensor.now, HandshakeRefusal.PROOF_FAILED);
        sensor.after(20 * MINUTE).engine.onHandshakeRefused(sensor.device, sensor.now, HandshakeRefusal.PROOF_FAILED);

        assertThat(sensor.engine.score(sensor.device, sensor.now)).isBetween(60, 99);
        assertThat(sensor.changes).isEmpty();
    }

    @Test
    void a_tombstoned_key_is_suspended_at_once() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(HOUR);

        sensor.engine.onHandshakeRefused(sensor.device, sensor.now, HandshakeRefusal.TOMBSTONED_KEY);

        assertThat(sensor.changes).singleElement().satisfies(change -> assertThat(change.suspend()).isTrue());
    }

    @Test
    void limited_recovers_after_the_clean_period() {
        TrustSettings settings = TrustSettings.defaults().withTiers(70, 30, 85, Duration.ofMinutes(30));
        GivenDevice sensor = GivenDevice.reporting(MINUTE, settings).for_(DAY);
        sensor.flood(10, 6 * SECOND);
        assertThat(sensor.tier()).isEqualTo(TrustTier.LIMITED);

        sensor.for_(20 * MINUTE);
        assertThat(sensor.tier()).isEqualTo(TrustTier.LIMITED);
        sensor.for_(HOUR);

        assertThat(sensor.tier()).isEqualTo(TrustTier.TRUSTED);
        assertThat(sensor.changes).extracting(TrustChange::to).containsExactly(TrustTier.LIMITED, TrustTier.TRUSTED);
    }

    @Test
    void quarantined_stays_until_an_operator_releases_it() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);

        sensor.engine.onFirmware(sensor.device, sensor.now, false);
        assertThat(sensor.tier()).isEqualTo(TrustTier.QUARANTINED);
        sensor.engine.onFirmware(sensor.device, sensor.now, true);
        sensor.for_(3 * DAY);
        assertThat(sensor.tier()).isEqualTo(TrustTier.QUARANTINED);

        sensor.engine.release(sensor.device, sensor.now);

        assertThat(sensor.tier()).isEqualTo(TrustTier.TRUSTED);
        assertThat(sensor.changes).extracting(TrustChange::to, TrustChange::operator).containsExactly(
                org.assertj.core.groups.Tuple.tuple(TrustTier.QUARANTINED, false),
                org.assertj.core.groups.Tuple.tuple(TrustTier.TRUSTED, true));
        sensor.for_(DAY);
        assertThat(sensor.changes).hasSize(2);
    }

    @Test
    void a_pinned_tier_holds_whatever_the_signals_until_unpinned() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);

        sensor.engine.pin(sensor.device, sensor.now, TrustTier.LIMITED);
        sensor.for_(DAY);
        assertThat(sensor.tier()).isEqualTo(TrustTier.LIMITED);
        sensor.engine.pin(sensor.device, sensor.now, TrustTier.TRUSTED);
        sensor.engine.onFirmware(sensor.device, sensor.now, false);
        assertThat(sensor.tier()).isEqualTo(TrustTier.TRUSTED);
        assertThat(sensor.engine.explain(sensor.device, sensor.now).pinned()).isEqualTo(TrustTier.TRUSTED);

        sensor.engine.pin(sensor.device, sensor.now, null);
        sensor.engine.onFirmware(sensor.device, sensor.now, false);

        assertThat(sensor.tier()).isEqualTo(TrustTier.QUARANTINED);
    }

    @Test
    void a_pinned_device_is_still_suspended_for_a_clone() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);
        sensor.engine.pin(sensor.device, sensor.now, TrustTier.TRUSTED);

        sensor.engine.onHandshake(sensor.device, sensor.now, 99, 5_000, false);
        sensor.report();

        TrustChange last = sensor.changes.get(sensor.changes.size() - 1);
        assertThat(last.suspend()).isTrue();
        assertThat(last.to()).isEqualTo(TrustTier.TRUSTED);
    }

    @Test
    void the_listener_is_called_outside_the_lock() {
        TrustEngine[] engine = new TrustEngine[1];
        DeviceTrust[] device = new DeviceTrust[1];
        int[] scores = {-1};
        engine[0] = new TrustEngine(TrustSettings.defaults(), change -> scores[0] = engine[0].score(device[0],
                change.atMillis()), 10);
        device[0] = engine[0].device(1, "sensor", GivenDevice.LIMITS);

        engine[0].onHandshakeRefused(device[0], GivenDevice.T0, HandshakeRefusal.TOMBSTONED_KEY);

        assertThat(scores[0]).isZero();
    }

    @Test
    void explains_score_tier_signals_and_baseline() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);
        sensor.flood(10, 6 * SECOND);

        TrustExplanation why = sensor.engine.explain(sensor.device, sensor.now);

        assertThat(why.tier()).isEqualTo(TrustTier.LIMITED);
        assertThat(why.contributions()).extracting(Contribution::signal).contains(TrustSignal.RATE);
        assertThat(why.recent()).first().satisfies(r -> assertThat(r.cause()).isEqualTo(TrustSignal.RATE));
        assertThat(why.baseline()).containsKeys("interval", "payload", "overdraft", "cohort");
        assertThat(why.toString()).contains("LIMITED", "mostly RATE", "interval: 5");
    }

    @Test
    void devices_beyond_the_cap_are_handed_out_but_not_remembered() {
        TrustEngine engine = new TrustEngine(TrustSettings.defaults(), TrustListener.NONE, 2);
        DeviceTrust one = engine.device(1, "sensor", GivenDevice.LIMITS);
        engine.device(2, "sensor", GivenDevice.LIMITS);

        DeviceTrust third = engine.device(3, "sensor", GivenDevice.LIMITS);

        assertThat(engine.devices()).isEqualTo(2);
        assertThat(engine.device(3, "sensor", GivenDevice.LIMITS)).isNotSameAs(third);
        assertThat(engine.device(1, "sensor", GivenDevice.LIMITS)).isSameAs(one);
        engine.forget(1);
        assertThat(engine.devices()).isEqualTo(1);
    }

    @Test
    void a_device_moved_to_another_profile_keeps_its_tier() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);
        sensor.engine.onFirmware(sensor.device, sensor.now, false);

        DeviceTrust moved = sensor.engine.device(7, "meter", GivenDevice.LIMITS);

        assertThat(moved).isNotSameAs(sensor.device);
        assertThat(moved.tier()).isEqualTo(TrustTier.QUARANTINED);
        assertThat(moved.profile()).isEqualTo("meter");
    }

    @Test
    void a_tier_another_node_decided_is_taken_silently_and_left_only_after_a_clean_period_here() {
        GivenDevice sensor = GivenDevice.reporting(5 * MINUTE).for_(2 * DAY);

        assertThat(sensor.engine.adopt(sensor.device, sensor.now, TrustTier.LIMITED)).isTrue();

        assertThat(sensor.tier()).isEqualTo(TrustTier.LIMITED);
        assertThat(sensor.changes).as("the other node recorded it").isEmpty();
        sensor.for_(50 * MINUTE); // clean here, but less than the clean period (1 h) since the adoption
        assertThat(sensor.tier()).isEqualTo(TrustTier.LIMITED);
        sensor.for_(HOUR);
        assertThat(sensor.tier()).isEqualTo(TrustTier.TRUSTED);
        assertThat(sensor.changes).singleElement().satisfies(change -> {
            assertThat(change.from()).isEqualTo(TrustTier.LIMITED);
            assertThat(change.to()).isEqualTo(TrustTier.TRUSTED);
        });
    }

    @Test
    void an_adopted_quarantine_stays_and_a_pin_outranks_what_another_node_decided() {
        GivenDevice quarantined = GivenDevice.reporting(5 * MINUTE).for_(DAY);
        quarantined.engine.adopt(quarantined.device, quarantined.now, TrustTier.QUARANTINED);
        quarantined.for_(2 * DAY);
        assertThat(quarantined.tier()).isEqualTo(TrustTier.QUARANTINED);

        GivenDevice pinned = GivenDevice.reporting(5 * MINUTE).for_(DAY);
        pinned.engine.pin(pinned.device, pinned.now, TrustTier.TRUSTED);
        assertThat(pinned.engine.adopt(pinned.device, pinned.now, TrustTier.LIMITED)).isFalse();
        assertThat(pinned.tier()).isEqualTo(TrustTier.TRUSTED);
    }
}
