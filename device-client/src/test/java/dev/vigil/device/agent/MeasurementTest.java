package dev.vigil.device.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MeasurementTest {

    @Test
    void senml_names_up_to_64_characters_finite_values_and_short_units_are_accepted() {
        assertThat(new Measurement("temp", 21.5, "Cel", 1L).unit()).isEqualTo("Cel");
        assertThat(new Measurement("urn:dev:ow:10e2073a01080063/temp_1.x-y", -0.0, 0L).unit()).isNull();
        assertThat(new Measurement("a".repeat(64), Double.MAX_VALUE, "°C", Long.MIN_VALUE).name()).hasSize(64);
        assertThat(new Measurement("0", Double.MIN_VALUE, "x".repeat(32), 0L).value()).isEqualTo(Double.MIN_VALUE);
        assertThat(new Measurement("rate", 1, "\uD83D\uDE00/s", 0L).unit()).isEqualTo("\uD83D\uDE00/s");
    }

    @Test
    void a_name_the_server_would_refuse_is_refused_with_the_name_quoted() {
        for (String bad : new String[] {"", "a".repeat(65), "has space", "-leading", ".dot", "temp\n", "t\u00e9mp",
                "a,b", "a\"b"}) {
            assertThatThrownBy(() -> new Measurement(bad, 1, "Cel", 0L)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("measurement name");
        }
        assertThatThrownBy(() -> new Measurement(null, 1, 0L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not null");
        assertThatThrownBy(() -> new Measurement("temp\n", 1, 0L)).hasMessageContaining("\"temp\\u000a\"");
    }

    @Test
    void a_value_that_is_not_finite_is_refused() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertThatThrownBy(() -> new Measurement("temp", bad, 0L)).as("" + bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temp")
                    .hasMessageContaining("finite");
        }
    }

    @Test
    void a_unit_that_is_empty_too_long_or_not_text_is_refused() {
        for (String bad : new String[] {"", "x".repeat(33), "C\u0000", "\tCel", "\uD83D", "a\uDE00", "\uD83Dx"}) {
            assertThatThrownBy(() -> new Measurement("temp", 1, bad, 0L)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unit");
        }
    }
}
