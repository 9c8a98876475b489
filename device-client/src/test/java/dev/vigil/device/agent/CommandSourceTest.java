package dev.vigil.device.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class CommandSourceTest {

    static final long NOW = 1_700_000_000_000L;

    @TempDir
    Path tmp;

    /** An executable shell script with this body. */
    Path program(String name, String body) throws IOException {
        Path program = tmp.resolve(name);
        Files.writeString(program, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
        return program;
    }

    @Test
    void each_name_value_unit_line_is_a_reading_and_other_lines_are_ignored() throws IOException {
        Path program = program("soil", """
                echo 'soil probe v2'
                echo 'soil=31.5 %RH'
                echo 'battery=3.7 V'
                echo 'count=42'
                echo ''
                echo 'rssi=-71 dBm   '
                echo 'big=1.5e3'
                """);

        assertThat(Source.parse("cmd:" + program, 42).read(NOW)).containsExactly(
                new Measurement("soil", 31.5, "%RH", NOW), new Measurement("battery", 3.7, "V", NOW),
                new Measurement("count", 42, null, NOW), new Measurement("rssi", -71, "dBm", NOW),
                new Measurement("big", 1500, null, NOW));
    }

    @Test
    void lines_that_are_not_a_reading_the_server_would_take_are_skipped_not_fatal() throws IOException {
        Path program = program("odd", """
                echo 'temp = 21.5'
                echo 'temp=warm'
                echo 'temp=21.5 Cel extra'
                echo '-temp=1'
                echo 'name with space=1'
                echo 'hum=40'
                """);

        assertThat(new CommandSource(program).read(NOW)).containsExactly(new Measurement("hum", 40, null, NOW));
    }

    @Test
    void a_program_that_fails_is_reported_with_its_exit_status() throws IOException {
        Path program = program("broken", "echo 'temp=21'\nexit 3\n");

        assertThatThrownBy(() -> new CommandSource(program).read(NOW)).isInstanceOf(IOException.class)
                .hasMessage(program + ": exit 3");
    }

    @Test
    void a_program_that_is_missing_or_not_executable_is_an_error() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "temp=1\n");

        assertThatThrownBy(() -> new CommandSource(tmp.resolve("absent")).read(NOW)).isInstanceOf(IOException.class)
                .hasMessageContaining("absent");
        assertThatThrownBy(() -> new CommandSource(text).read(NOW)).isInstanceOf(IOException.class)
                .hasMessageContaining("notes.txt");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void a_hanging_program_is_given_up_on_and_killed_with_what_it_started() throws Exception {
        Path program = program("hang", """
                echo $$ >"$0.pid"
                echo 'temp=21'
                sleep 120 &
                echo $! >"$0.child"
                wait
                """);

        assertThatThrownBy(() -> new CommandSource(program, Duration.ofSeconds(1)).read(NOW))
                .isInstanceOf(IOException.class).hasMessage(program + ": no exit within 1s");

        for (String pidFile : List.of("hang.pid", "hang.child")) {
            Optional<ProcessHandle> left = ProcessHandle.of(Long.parseLong(Files.readString(tmp.resolve(pidFile)).strip()));
            if (left.isPresent()) {
                left.get().onExit().get(20, TimeUnit.SECONDS); // killed: gone once the kernel has reaped it
            }
        }
    }

    @Test
    void a_program_is_run_afresh_for_each_reading() throws IOException {
        Path program = program("counter", """
                n=$(( $(cat "$0.n" 2>/dev/null || echo 0) + 1 ))
                echo "$n" >"$0.n"
                echo "count=$n"
                """);
        CommandSource source = new CommandSource(program);

        assertThat(source.read(NOW)).extracting(Measurement::value).containsExactly(1.0);
        assertThat(source.read(NOW)).extracting(Measurement::value).containsExactly(2.0);
    }
}
