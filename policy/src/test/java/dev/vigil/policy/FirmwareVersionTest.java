package dev.vigil.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FirmwareVersionTest {

    @ParameterizedTest(name = "{0} vs {1}: {2}")
    @CsvSource({"1.10.0, 1.9.9, 1", "1.2.10, 1.2.9, 1", "2.0, 2.0.0, 0", "2, 2.0.0.0, 0", "0.0.1, 0.1, -1",
        "32767.0, 1.32767.32767.32767, 1", "1.0.0.1, 1.0.0, 1"})
    void versions_compare_part_by_part_as_numbers(String left, String right, int sign) {
        assertThat(Long.signum(Long.compare(FirmwareVersion.parse(left), FirmwareVersion.parse(right)))).isEqualTo(sign);
        assertThat(FirmwareVersion.parse(left)).isGreaterThan(FirmwareVersion.UNKNOWN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1..2", "1.2.", ".1", "v1.2", "1.2.3-beta", "1.2.3.4.5", "1.32768", "1.2.3 ", "-1",
        "+1", "1.0x1"})
    void anything_but_one_to_four_dotted_numbers_is_refused(String version) {
        assertThatThrownBy(() -> FirmwareVersion.parse(version)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + version + "'");
    }

    @ParameterizedTest
    @CsvSource({"1.2.10, 1.2.10", "2.0, 2.0.0", "1.2.3.4, 1.2.3.4", "0, 0.0.0"})
    void format_gives_back_the_dotted_form(String version, String formatted) {
        assertThat(FirmwareVersion.format(FirmwareVersion.parse(version))).isEqualTo(formatted);
    }
}
