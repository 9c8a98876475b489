package dev.vigil.policy.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrustSettingsTest {

    @Test
    void defaults_are_the_documented_ones() {
        TrustSettings defaults = TrustSettings.defaults();

        assertThat(defaults.limitedBelow()).isEqualTo(70);
        assertThat(defaults.quarantinedBelow()).isEqualTo(30);
        assertThat(defaults.recoverAtOrAbove()).isEqualTo(85);
        assertThat(defaults.cleanPeriod()).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.weights().of(TrustSignal.RATE)).isEqualTo(45);
        assertThat(defaults.weights().of(TrustSignal.CLONE)).isEqualTo(100);
    }

    @Test
    void thresholds_out_of_order_are_refused() {
        assertThatThrownBy(() -> TrustSettings.defaults().withTiers(70, 80, 85, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tier thresholds must satisfy 0 <= quarantinedBelow < limitedBelow <= recoverAtOrAbove"
                        + " <= 100: 80, 70, 85");
        assertThatThrownBy(() -> TrustSettings.defaults().withTiers(70, 30, 101, Duration.ZERO))
                .hasMessageEndingWith(": 30, 70, 101");
    }

    @Test
    void each_bad_value_is_named() {
        assertThatThrownBy(() -> TrustSettings.defaults().withTiers(70, 30, 85, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("cleanPeriod must be 0 or more: PT-1S");
        assertThatThrownBy(() -> TrustSettings.defaults().withCohort(0, 1.25))
                .hasMessage("minCohort must be at least 1: 0.0");
        assertThatThrownBy(() -> TrustSettings.defaults().withCohort(20, 0.9))
                .hasMessage("cohortMargin must be at least 1: 0.9");
        assertThatThrownBy(() -> new TrustSettings.Weights(45, 45, 45, 40, 10, 30, 45, 30, 20, 15, 101, 45, 75))
                .hasMessage("weights.firmware must be 0-100: 101");
        assertThatThrownBy(() -> new ProfileLimits(0, 10)).hasMessage("requestsPerSecond must be above 0: 0.0");
    }
}
