package dev.vigil.device.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimSourceTest {

    static List<Double> values(Source source, int count) throws Exception {
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<Measurement> read = source.read(1000L * i);
            assertThat(read).hasSize(1);
            values.add(read.get(0).value());
        }
        return values;
    }

    @Test
    void the_same_seed_gives_the_same_readings() throws Exception {
        assertThat(values(new SimSource(7), 200)).isEqualTo(values(Source.parse("sim", 7), 200));
    }

    @Test
    void another_seed_gives_other_readings() throws Exception {
        assertThat(values(new SimSource(7), 20)).isNotEqualTo(values(new SimSource(8), 20));
    }

    @Test
    void readings_are_sim_temp_in_celsius_stamped_with_the_read_time() throws Exception {
        assertThat(new SimSource(42).read(1_700_000_000_000L)).singleElement().satisfies(m -> {
            assertThat(m.name()).isEqualTo("sim-temp");
            assertThat(m.unit()).isEqualTo("Cel");
            assertThat(m.timeMillis()).isEqualTo(1_700_000_000_000L);
        });
    }

    @Test
    void a_long_run_stays_a_plausible_room_temperature_to_two_decimals_and_moves() throws Exception {
        List<Double> values = values(new SimSource(42), 20_000);

        assertThat(values).allSatisfy(v -> {
            assertThat(v).isBetween(16.0, 26.0);
            assertThat(Math.abs(v * 100 - Math.rint(v * 100))).isLessThan(1e-6);
        });
        assertThat(values.stream().distinct().count()).isGreaterThan(100);
    }
}
