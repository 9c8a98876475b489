package dev.vigil.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SenmlCborTest {

    @Test
    void records_use_integer_labels_name_0_and_value_2() throws Exception {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("temp", 21.5);
        values.put("count", 3.0);
        JsonNode pack = new CBORMapper().readTree(SenmlCbor.encode(values));

        assertThat(pack.isArray()).isTrue();
        assertThat(pack.get(0).path("0").asText()).isEqualTo("temp");
        assertThat(pack.get(0).path("2").asDouble()).isEqualTo(21.5);
        assertThat(pack.get(1).path("2").isIntegralNumber()).as("whole numbers as CBOR integers").isTrue();
    }

    @Test
    void a_single_reading_fits_in_14_bytes() {
        assertThat(SenmlCbor.encode(Map.of("temp", 21.5))).hasSizeLessThanOrEqualTo(14);
    }
}
