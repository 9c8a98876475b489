package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.vigil.provisioning.telemetry.Reading;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SenmlDecoderTest {

    private static final double NOW = 1_800_000_000d;

    private static List<Reading> json(String pack) throws SenmlException {
        return SenmlDecoder.decode(SenmlDecoder.SENML_JSON, pack.getBytes(StandardCharsets.UTF_8), NOW);
    }

    private static final String RFC8428_EXAMPLE = """
                [{"bn":"urn:dev:ow:10e2073a01080063:","bt":1.320067464e+09,"bu":"%RH","v":20},
                 {"u":"lon","v":24.30621},
                 {"n":"temp","u":"Cel","t":60,"v":23.1}]""";

    @Test
    void rfc8428_example_with_base_fields_resolves_names_times_and_values() throws Exception {
        List<Reading> readings = SenmlDecoder.decode(SenmlDecoder.SENML_JSON,
                RFC8428_EXAMPLE.getBytes(StandardCharsets.UTF_8), 1.320067464e9 + 120);
        assertThat(readings).containsExactly(
                new Reading("urn:dev:ow:10e2073a01080063:", "%RH", 20.0, null, null, 1.320067464e9),
                new Reading("urn:dev:ow:10e2073a01080063:", "lon", 24.30621, null, null, 1.320067464e9),
                new Reading("urn:dev:ow:10e2073a01080063:temp", "Cel", 23.1, null, null, 1.320067524e9));
    }

    @Test
    void the_rfc8428_example_received_years_later_is_refused_as_too_old() {
        assertThatThrownBy(() -> json(RFC8428_EXAMPLE)).isInstanceOf(SenmlException.class)
                .hasMessageContaining("outside the window");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[{\"bv\":1e308,\"n\":\"a\",\"v\":1e308}]",
        "[{\"bv\":-1e308,\"n\":\"a\",\"v\":-1e308}]",
        "[{\"bs\":1e308,\"n\":\"a\",\"s\":1e308}]",
        "[{\"bt\":-1.7e308,\"n\":\"a\",\"v\":1,\"t\":-1.7e308}]",
        "[{\"n\":\"a\",\"v\":1,\"t\":1.7e308}]",
        "[{\"n\":\"a\",\"v\":1,\"t\":-1.7e308}]",
    })
    void a_resolved_value_sum_or_time_that_is_not_finite_or_sane_is_refused(String pack) {
        assertThatThrownBy(() -> json(pack)).isInstanceOf(SenmlException.class);
    }

    @Test
    void base_sum_is_added_to_the_sum() throws Exception {
        assertThat(json("[{\"bs\":100,\"n\":\"a\",\"s\":5}]").get(0).number()).isEqualTo(105.0);
    }

    @ParameterizedTest(name = "t = {0}: accepted {1}")
    @CsvSource({
        // relative times (below 2^28) from now: back to 2^28 s, ahead 600 s
        "-268435455, true", "-268435456, true", "-268435457, false",
        "599, true", "600, true", "601, false",
        // absolute times
        "1800000599, true", "1800000600, true", "1800000601, false",
        "1531564545, true", "1531564544, true", "1531564543, false",
    })
    void measurement_times_are_accepted_from_2_pow_28_seconds_ago_to_600_seconds_ahead(String t, boolean accepted)
            throws Exception {
        String pack = "[{\"n\":\"a\",\"v\":1,\"t\":" + t + "}]";
        if (accepted) {
            assertThat(json(pack)).hasSize(1);
        } else {
            assertThatThrownBy(() -> json(pack)).isInstanceOf(SenmlException.class).hasMessageContaining("window");
        }
    }

    @Test
    void relative_time_is_counted_from_now_and_no_time_means_unknown() throws Exception {
        assertThat(json("[{\"n\":\"a\",\"v\":1,\"t\":-5}]").get(0).measuredAt()).isEqualTo(NOW - 5);
        assertThat(json("[{\"n\":\"a\",\"v\":1}]").get(0).measuredAt()).isNull();
    }

    @Test
    void base_value_is_added_and_string_and_boolean_values_are_kept() throws Exception {
        assertThat(json("[{\"bv\":100,\"n\":\"a\",\"v\":1}]").get(0).number()).isEqualTo(101.0);
        assertThat(json("[{\"n\":\"s\",\"vs\":\"open\"},{\"n\":\"b\",\"vb\":false}]"))
                .extracting(Reading::text, Reading::bool)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("open", null),
                        org.assertj.core.groups.Tuple.tuple(null, false));
    }

    @Test
    void cbor_uses_integer_labels() throws Exception {
        byte[] cbor = new CBORMapper().writeValueAsBytes(List.of(Map.of(-2, "dev:", 0, "temp", 1, "Cel", 2, 21.5)));
        assertThat(SenmlDecoder.decode(SenmlDecoder.SENML_CBOR, cbor, NOW))
                .containsExactly(new Reading("dev:temp", "Cel", 21.5, null, null, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "null", "{}", "[]", "[1]", "[{\"n\":\"a\",\"v\":1}] trailing",
        "[{\"n\":\"a\"}]",
        "[{\"n\":\"a\",\"v\":1,\"vs\":\"x\"}]",
        "[{\"n\":\"a\",\"v\":\"1\"}]",
        "[{\"n\":\"a\",\"vb\":1}]",
        "[{\"n\":\"a\",\"vd\":\"AQID\"}]",
        "[{\"n\":\"a\",\"v\":1,\"x_\":1}]",
        "[{\"n\":\"a b\",\"v\":1}]",
        "[{\"v\":1}]",
        "[{\"n\":\"a\",\"v\":1,\"n\":\"b\"}]",
        "[{\"bver\":99,\"n\":\"a\",\"v\":1}]",
        "[{\"bn\":\"x\"}]",
    })
    void malformed_packs_are_refused(String pack) {
        assertThatThrownBy(() -> json(pack)).isInstanceOf(SenmlException.class);
    }

    @Test
    void unknown_fields_without_underscore_are_ignored() throws Exception {
        assertThat(json("[{\"n\":\"a\",\"v\":1,\"extra\":true}]")).hasSize(1);
    }

    @Test
    void an_unknown_field_holding_maps_and_arrays_is_skipped_whole() throws Exception {
        assertThat(json("[{\"x\":{\"n\":\"b\",\"v\":[1,{\"vs\":\"y\"}]},\"n\":\"a\",\"v\":1},"
                + "{\"n\":\"c\",\"vb\":true}]"))
                .containsExactly(new Reading("a", null, 1.0, null, null, null),
                        new Reading("c", null, null, null, true, null));
    }

    @Test
    void cbor_with_a_repeated_label_or_bytes_after_the_pack_is_refused() throws Exception {
        CBORMapper cbor = new CBORMapper();
        byte[] pack = cbor.writeValueAsBytes(List.of(Map.of(0, "temp", 2, 21.5)));
        byte[] trailing = java.util.Arrays.copyOf(pack, pack.length + 1);
        assertThatThrownBy(() -> SenmlDecoder.decode(SenmlDecoder.SENML_CBOR, trailing, NOW))
                .isInstanceOf(SenmlException.class);
        // {0: "a", 0: "b", 2: 1.0}: a map with label 0 twice
        byte[] repeated = {(byte) 0x81, (byte) 0xA3, 0x00, 0x61, 'a', 0x00, 0x61, 'b', 0x02, (byte) 0xF9, 0x3C, 0x00};
        assertThatThrownBy(() -> SenmlDecoder.decode(SenmlDecoder.SENML_CBOR, repeated, NOW))
                .isInstanceOf(SenmlException.class);
        byte[] once = {(byte) 0x81, (byte) 0xA2, 0x00, 0x61, 'a', 0x02, (byte) 0xF9, 0x3C, 0x00};
        assertThat(SenmlDecoder.decode(SenmlDecoder.SENML_CBOR, once, NOW))
                .containsExactly(new Reading("a", null, 1.0, null, null, null));
    }

    @Test
    void too_many_records_are_refused() {
        String pack = "[" + "{\"n\":\"a\",\"v\":1},".repeat(256) + "{\"n\":\"a\",\"v\":1}]";
        assertThatThrownBy(() -> json(pack)).hasMessageContaining("more than 256");
    }
}
