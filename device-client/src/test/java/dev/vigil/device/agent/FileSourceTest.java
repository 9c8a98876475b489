package dev.vigil.device.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSourceTest {

    static final long NOW = 1_700_000_000_000L;
    /** A DS18B20 reading as the Linux w1_therm driver writes it: CRC line, then the raw bytes and t= millidegrees. */
    static final String W1_GOOD = """
            72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
            72 01 4b 46 7f ff 0e 10 57 t=23125
            """;

    @TempDir
    Path tmp;

    Path file(String relative, String content) throws IOException {
        Path file = tmp.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    @Test
    void a_pi_thermal_zone_in_millidegrees_reads_as_cpu_temp_in_celsius() throws IOException {
        Path zone = file("thermal_zone0/temp", "48312\n");

        assertThat(FileSource.cpuTemperature(zone).read(NOW))
                .containsExactly(new Measurement("cpu-temp", 48.312, "Cel", NOW));
    }

    @Test
    void a_ds18b20_reading_is_named_after_its_sensor_and_given_in_celsius() throws IOException {
        Path slave = file("28-0000075565c2/w1_slave", W1_GOOD);

        assertThat(Source.parse("file:" + slave, 42).read(NOW))
                .containsExactly(new Measurement("28-0000075565c2", 23.125, "Cel", NOW));
    }

    @Test
    void a_ds18b20_below_freezing_reads_negative() throws IOException {
        Path slave = file("28-00000a1b2c3d/w1_slave", """
                5e ff 4b 46 7f ff 0c 10 1c : crc=1c YES
                5e ff 4b 46 7f ff 0c 10 1c t=-10125
                """);

        assertThat(new FileSource(slave).read(NOW)).extracting(Measurement::value).containsExactly(-10.125);
    }

    @Test
    void a_ds18b20_reading_whose_crc_failed_is_an_error_not_a_value() throws IOException {
        Path slave = file("28-0000075565c2/w1_slave", """
                72 01 4b 46 7f ff 0e 10 57 : crc=00 NO
                72 01 4b 46 7f ff 0e 10 57 t=85000
                """);

        assertThatThrownBy(() -> new FileSource(slave).read(NOW)).isInstanceOf(IOException.class)
                .hasMessageContaining("CRC check failed").hasMessageContaining(slave.toString());
    }

    @Test
    void a_ds18b20_file_without_a_temperature_is_an_error() throws IOException {
        Path slave = file("28-0000075565c2/w1_slave", "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n");

        assertThatThrownBy(() -> new FileSource(slave).read(NOW)).isInstanceOf(IOException.class)
                .hasMessageContaining("no t=");
    }

    @Test
    void any_other_file_gives_its_first_number_named_after_the_file_without_a_unit() throws IOException {
        Path pressure = file("iio/pressure", "  101.325 kPa\n99\n");

        assertThat(new FileSource(pressure).read(NOW)).containsExactly(new Measurement("pressure", 101.325, null, NOW));
    }

    @Test
    void each_read_sees_the_file_as_it_is_now() throws IOException {
        Path level = file("level", "3");
        FileSource source = new FileSource(level);
        source.read(NOW);
        Files.writeString(level, "-4\n");

        assertThat(source.read(NOW + 1000)).containsExactly(new Measurement("level", -4, null, NOW + 1000));
    }

    @Test
    void a_file_without_a_number_or_missing_is_an_error_naming_it() throws IOException {
        Path empty = file("empty", "n/a\n");

        assertThatThrownBy(() -> new FileSource(empty).read(NOW)).isInstanceOf(IOException.class)
                .hasMessageContaining(empty.toString()).hasMessageContaining("no number");
        assertThatThrownBy(() -> new FileSource(tmp.resolve("gone")).read(NOW)).isInstanceOf(IOException.class)
                .hasMessageContaining("gone");
    }

    @Test
    void a_source_name_that_is_none_of_the_four_kinds_is_refused_naming_the_sources_setting() {
        for (String bad : new String[] {"cpu", "file:", "cmd:", "sim:3", "FILE:/x"}) {
            assertThatThrownBy(() -> Source.parse(bad, 42)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("sources: '" + bad + "'");
        }
    }
}
