package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.policy.trust.TrustSettings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.Test;

class VigilConfigTest {

    @Test
    void trust_settings_default_to_the_engines_and_follow_vigil_properties() {
        assertThat(VigilConfig.trustSettings(VigilConfig.defaults())).isEqualTo(TrustSettings.defaults());

        Configuration config = VigilConfig.defaults();
        config.set(VigilConfig.TRUST_WEIGHTS, "rate=60, scanning=20");
        config.set(VigilConfig.TRUST_LIMITED_BELOW, 60);
        config.set(VigilConfig.TRUST_CLEAN_PERIOD, 30, TimeUnit.MINUTES);
        TrustSettings settings = VigilConfig.trustSettings(config);

        assertThat(settings.weights().rate()).isEqualTo(60);
        assertThat(settings.weights().scanning()).isEqualTo(20);
        assertThat(settings.weights().volume()).isEqualTo(TrustSettings.Weights.DEFAULTS.volume());
        assertThat(settings.limitedBelow()).isEqualTo(60);
        assertThat(settings.cleanPeriod()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void a_misspelt_or_impossible_trust_setting_is_one_clear_error() {
        Configuration misspelt = VigilConfig.defaults();
        misspelt.set(VigilConfig.TRUST_WEIGHTS, "rat=60");
        assertThatThrownBy(() -> VigilConfig.trustSettings(misspelt)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("VIGIL.TRUST_WEIGHTS: no trust signal named 'rat' (known: addressChurn,");

        Configuration notANumber = VigilConfig.defaults();
        notANumber.set(VigilConfig.TRUST_WEIGHTS, "rate=lots");
        assertThatThrownBy(() -> VigilConfig.trustSettings(notANumber))
                .hasMessage("VIGIL.TRUST_WEIGHTS: 'rate=lots' is not name=points");

        Configuration inverted = VigilConfig.defaults();
        inverted.set(VigilConfig.TRUST_QUARANTINED_BELOW, 80);
        assertThatThrownBy(() -> VigilConfig.trustSettings(inverted)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quarantinedBelow");
    }
}
