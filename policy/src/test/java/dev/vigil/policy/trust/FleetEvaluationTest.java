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

    @Test
    void healthy_devices_stay_trusted_on_all_but_a_thousandth_of_their_days() {
        assertThat(REPORT.falsePositiveShare()).as(REPORT.toString()).isLessThanOrEqualTo(0.001);
    }
}
