package dev.vigil.device.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a server decoding a pack sees: RFC 8428 records, resolved against their base fields. */
class SenmlPackTest {

    static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
    static final long NOW = 1_700_000_000_000L;

    /** A record as a server resolves it (RFC 8428 §4.6): name = bn + n, unit = u or bu, t relative to now. */
    record Resolved(String name, double value, String unit, Long age) {
    }

    static JsonNode decode(byte[] pack) throws IOException {
        JsonNode records = CBOR.readTree(pack);
        assertThat(records.isArray()).isTrue();
        return records;
    }

    static List<Resolved> resolve(byte[] pack) throws IOException {
        List<Resolved> out = new ArrayList<>();
        String baseName = "";
        String baseUnit = null;
        for (JsonNode record : decode(pack)) {
            if (record.has("-2")) {
                baseName = record.get("-2").asText();
            }
            if (record.has("-4")) {
                baseUnit = record.get("-4").asText();
            }
            String unit = record.has("1") ? record.get("1").asText() : baseUnit;
            Long age = record.has("6") ? -record.get("6").asLong() : null;
            out.add(new Resolved(baseName + record.path("0").asText(""), record.get("2").asDouble(), unit, age));
        }
        return out;
    }

    static List<QueuedReading> numbered(long first, Measurement... measurements) {
        List<QueuedReading> readings = new ArrayList<>();
        for (Measurement m : measurements) {
            readings.add(new QueuedReading(first++, m));
        }
        return readings;
    }

    static List<String> labels(JsonNode record) {
        List<String> labels = new ArrayList<>();
        record.fieldNames().forEachRemaining(labels::add);
        return labels;
    }

    @Test
    void a_name_and_unit_every_reading_shares_are_said_once_as_base_name_and_base_unit() throws IOException {
        byte[] pack = SenmlPack.encode(numbered(7, new Measurement("temp", 21.5, "Cel", NOW - 3000),
                new Measurement("temp", 21.75, "Cel", NOW - 2000), new Measurement("temp", 22, "Cel", NOW - 1000)), NOW);

        JsonNode records = decode(pack);
        assertThat(labels(records.get(0))).containsExactly("-2", "-4", "2", "6");
        assertThat(labels(records.get(1))).containsExactly("2", "6");
        assertThat(labels(records.get(2))).containsExactly("2", "6");
        assertThat(resolve(pack)).containsExactly(new Resolved("temp", 21.5, "Cel", 3L),
                new Resolved("temp", 21.75, "Cel", 2L), new Resolved("temp", 22, "Cel", 1L));
    }

    @Test
    void different_names_are_said_per_record_and_a_shared_unit_still_once() throws IOException {
        byte[] pack = SenmlPack.encode(numbered(1, new Measurement("cpu-temp", 48.3, "Cel", NOW),
                new Measurement("28-0000075565c2", -1.25, "Cel", NOW)), NOW);

        JsonNode records = decode(pack);
        assertThat(labels(records.get(0))).containsExactly("-4", "0", "2");
        assertThat(labels(records.get(1))).containsExactly("0", "2");
        assertThat(resolve(pack)).containsExactly(new Resolved("cpu-temp", 48.3, "Cel", null),
                new Resolved("28-0000075565c2", -1.25, "Cel", null));
    }

    @Test
    void different_units_are_said_per_record_and_a_reading_without_a_unit_gets_none() throws IOException {
        byte[] pack = SenmlPack.encode(numbered(1, new Measurement("soil", 31.5, "%RH", NOW),
                new Measurement("count", 3, NOW), new Measurement("battery", 3.7, "V", NOW)), NOW);

        JsonNode records = decode(pack);
        assertThat(records.get(1).has("1")).isFalse();
        assertThat(records.findValues("-4")).isEmpty();
        assertThat(resolve(pack)).containsExactly(new Resolved("soil", 31.5, "%RH", null),
                new Resolved("count", 3, null, null), new Resolved("battery", 3.7, "V", null));
    }

    @Test
    void readings_that_all_lack_a_unit_carry_no_unit_and_no_base_unit() throws IOException {
        byte[] pack = SenmlPack.encode(numbered(1, new Measurement("count", 1, NOW), new Measurement("count", 2, NOW)),
                NOW);

        JsonNode records = decode(pack);
        assertThat(records.findValues("-4")).isEmpty();
        assertThat(records.findValues("1")).isEmpty();
        assertThat(resolve(pack)).extracting(Resolved::name).containsExactly("count", "count");
    }

    @Test
    void one_reading_is_one_record_with_its_name_as_base_name() throws IOException {
        byte[] pack = SenmlPack.encode(numbered(41, new Measurement("sim-temp", 20.93, "Cel", NOW - 60_000)), NOW);

        assertThat(resolve(pack)).containsExactly(new Resolved("sim-temp", 20.93, "Cel", 60L));
    }

    @Test
    void every_record_has_a_value_so_record_i_is_reading_first_plus_i_in_order() throws IOException {
        Measurement[] values = new Measurement[10];
        for (int i = 0; i < values.length; i++) {
            values[i] = new Measurement(i % 2 == 0 ? "a" : "b", i * 1.5, NOW - i * 1000L);
        }

        JsonNode records = decode(SenmlPack.encode(numbered(100, values), NOW));

        assertThat(records).hasSize(10);
        for (int i = 0; i < values.length; i++) {
            assertThat(records.get(i).get("2").asDouble()).as("record %d", i).isEqualTo(i * 1.5);
        }
    }

    @Test
    void times_are_whole_seconds_before_the_send_time_and_left_out_under_a_second() throws IOException {
        byte[] pack = SenmlPack.encode(numbered(1, new Measurement("x", 1, NOW), new Measurement("x", 2, NOW - 200),
                new Measurement("x", 3, NOW - 5000), new Measurement("x", 4, NOW - 86_400_000L),
                new Measurement("x", 5, NOW + 10_000)), NOW);

        JsonNode records = decode(pack);
        assertThat(records.get(0).has("6")).as("taken at the send time").isFalse();
        assertThat(records.get(1).has("6")).as("200 ms old").isFalse();
        assertThat(records.get(2).get("6").asLong()).isEqualTo(-5);
        assertThat(records.get(3).get("6").asLong()).isEqualTo(-86_400);
        assertThat(records.get(4).has("6")).as("stamped after the send time (the clock stepped back)").isFalse();
    }

    @Test
    void the_same_readings_sent_later_say_they_are_older() throws IOException {
        List<QueuedReading> readings = numbered(1, new Measurement("x", 1, NOW - 2000));

        assertThat(resolve(SenmlPack.encode(readings, NOW)).get(0).age()).isEqualTo(2L);
        assertThat(resolve(SenmlPack.encode(readings, NOW + 600_000)).get(0).age()).isEqualTo(602L);
    }

    @Test
    void values_arrive_exactly_in_their_shortest_form() throws IOException {
        byte[] pack = SenmlPack.encode(numbered(1, new Measurement("a", 21, NOW), new Measurement("b", 21.5, NOW),
                new Measurement("c", 0.1, NOW), new Measurement("d", -40, NOW), new Measurement("e", 1e300, NOW),
                new Measurement("f", 9_007_199_254_740_993.0, NOW)), NOW);

        JsonNode records = decode(pack);
        assertThat(records.get(0).get("2").isIntegralNumber()).isTrue();
        assertThat(records.get(1).get("2").isFloat()).as("21.5 fits a float").isTrue();
        assertThat(records.get(2).get("2").isDouble()).as("0.1 needs a double").isTrue();
        assertThat(records.get(3).get("2").asLong()).isEqualTo(-40);
        assertThat(resolve(pack)).extracting(Resolved::value)
                .containsExactly(21.0, 21.5, 0.1, -40.0, 1e300, 9_007_199_254_740_993.0);
    }
}
