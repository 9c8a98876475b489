package dev.vigil.policy.trust;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.policy.trust.FleetSimulation.Attack;
import org.junit.jupiter.api.Test;

/**
 * The goals of the trust engine, on a reduced fleet (120 healthy devices and 5 victims per attack, 12
 * simulated days, fixed seed): every attack contained, p99 within 60 s of its start (clone and credential
 * stuffing within 5 s), at most 0.1 % of healthy device-days away from TRUSTED. The full run is
 * {@code scripts/bench trust}.
 */
class FleetEvaluationTest {

    private static final FleetReport REPORT = FleetSimulation.run(new FleetSimulation.Config(120, 5, 12, 42, 9, 3));

    @Test
    void every_attack_is_contained() {
        for (FleetReport.AttackResult result : REPORT.attacks()) {
            assertThat(result.contained()).as(REPORT.toString()).isEqualTo(result.victims());
        }
    }

    @Test
    void attacks_are_contained_within_a_minute_of_their_start() {
        for (Attack attack : new Attack[] {Attack.FLOOD, Attack.EXFILTRATION, Attack.OFF_SCHEDULE, Attack.SCANNING}) {
            assertThat(REPORT.attack(attack).p99()).as(REPORT.toString()).isBetween(0.0, 60.0);
        }
    }

    @Test
    void clones_and_credential_stuffing_are_suspended_within_five_seconds() {
        assertThat(REPORT.attack(Attack.CLONE).p99()).as(REPORT.toString()).isBetween(0.0, 5.0);
        assertThat(REPORT.attack(Attack.CREDENTIAL_STUFFING).p99()).as(REPORT.toString()).isBetween(0.0, 5.0);
    }

    /**
     * Rate creep starts inside the cohort's range and takes days to leave it; what can be asked is that it
     * is contained about when its rate passes the cohort's ceiling. The learned rate is an average of the
     * last dozen or so intervals, a percent or two off the scheduled one either way: at 10 % a day that is
     * hours, before or after. (The clock starts at the ceiling in force when the victim was contained.)
     */
    @Test
    void rate_creep_is_contained_within_hours_of_leaving_the_cohorts_range() {
        assertThat(REPORT.attack(Attack.RATE_CREEP).p99()).as(REPORT.toString()).isLessThanOrEqualTo(6 * 3600.0);
    }

    @Test
    void healthy_devices_stay_trusted_on_all_but_a_thousandth_of_their_days() {
        assertThat(REPORT.falsePositiveShare()).as(REPORT.toString()).isLessThanOrEqualTo(0.001);
    }
}
