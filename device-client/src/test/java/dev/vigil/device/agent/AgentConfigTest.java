package dev.vigil.device.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {

    static final String SERVER = "server=coaps://vigil.example:5684\n";

    @TempDir
    Path state;

    AgentConfig load(String file, Map<String, String> flags) throws IOException {
        Files.writeString(state.resolve(AgentConfig.FILE), file);
        return AgentConfig.load(state, flags);
    }

    AgentConfig load(String file) throws IOException {
        return load(file, Map.of());
    }

    /** The one-line message a person sees for this agent.properties. */
    String refusal(String file) {
        return refusal(file, Map.of());
    }

    String refusal(String file, Map<String, String> flags) {
        Throwable thrown = catchThrowable(() -> load(file, flags));
        assertThat(thrown).as(file + " " + flags).isInstanceOf(IllegalArgumentException.class);
        assertThat(thrown.getMessage()).doesNotContain("\n");
        return thrown.getMessage();
    }

    // ---- what a file with only a server gives

    @Test
    void a_file_naming_only_the_server_gets_the_documented_defaults() throws IOException {
        AgentConfig config = load(SERVER);

        assertThat(config.server()).isEqualTo(URI.create("coaps://vigil.example:5684"));
        assertThat(config.serverKey()).isEqualTo(state.resolve("server.pub.pem"));
        assertThat(config.interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.sources()).containsExactly("cpu-temp");
        assertThat(config.pack()).isEqualTo(10);
        assertThat(config.confirmEvery()).isEqualTo(1);
        assertThat(config.queueMaxBytes()).isEqualTo(1_048_576);
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.backoffMax()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.commands()).isEmpty();
        assertThat(config.reboot()).isFalse();
        assertThat(config.firmwareHook()).isNull();
        assertThat(config.firmwareCheck()).isEqualTo(Duration.ofHours(6));
        assertThat(config.running()).isEqualTo("0.0.0:0");
        assertThat(config.rotateEvery()).isZero();
        assertThat(config.seed()).isEqualTo(42);
    }

    @Test
    void every_documented_setting_is_read_with_spaces_around_values_ignored() throws IOException {
        AgentConfig config = load(SERVER + """
                server-key = /etc/vigil/server.pub.pem
                interval = 30s
                sources = cpu-temp, file:/sys/bus/w1/devices/28-0000/w1_slave , sim
                pack=25
                confirm-every=4
                queue-max-bytes=4096
                timeout=5s
                backoff-max=2m
                commands=ping,set-interval,reboot,flush
                command.flush=/usr/local/bin/flush
                reboot=true
                firmware-hook=/usr/local/sbin/flash
                firmware-check=1d
                running=1.2.0:12
                rotate-every=90d
                seed=7
                """);

        assertThat(config.serverKey()).isEqualTo(Path.of("/etc/vigil/server.pub.pem"));
        assertThat(config.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.sources()).containsExactly("cpu-temp", "file:/sys/bus/w1/devices/28-0000/w1_slave", "sim");
        assertThat(config.pack()).isEqualTo(25);
        assertThat(config.confirmEvery()).isEqualTo(4);
        assertThat(config.queueMaxBytes()).isEqualTo(4096);
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.backoffMax()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.commands()).containsExactly("ping", "set-interval", "reboot", "flush");
        assertThat(config.commandPrograms()).containsExactly(Map.entry("flush", "/usr/local/bin/flush"));
        assertThat(config.reboot()).isTrue();
        assertThat(config.firmwareHook()).isEqualTo(Path.of("/usr/local/sbin/flash"));
        assertThat(config.firmwareCheck()).isEqualTo(Duration.ofDays(1));
        assertThat(config.running()).isEqualTo("1.2.0:12");
        assertThat(config.rotateEvery()).isEqualTo(Duration.ofDays(90));
        assertThat(config.seed()).isEqualTo(7);
    }

    // ---- refusals: one line, naming the setting

    @Test
    void a_misspelt_setting_is_refused_by_name_rather_than_left_at_its_default() {
        assertThat(refusal(SERVER + "intreval=1m\n")).contains("unknown setting intreval")
                .contains(state.resolve(AgentConfig.FILE).toString());
        assertThat(refusal(SERVER + "sorces=sim\nPack=3\n")).contains("Pack, sorces");
        assertThat(refusal(SERVER + "command.=/bin/true\n")).contains("unknown setting command.");
    }

    @Test
    void a_missing_or_empty_server_is_refused_saying_how_to_give_one() throws IOException {
        assertThat(refusal("interval=1m\n")).contains("no server").contains("server=coaps://host:port")
                .contains("--server");
        assertThat(refusal("server=\n")).contains("no server");
        Files.delete(state.resolve(AgentConfig.FILE));
        assertThatThrownBy(() -> AgentConfig.load(state, Map.of())).hasMessageContaining("no server");
    }

    @Test
    void a_server_that_is_not_a_coaps_uri_is_refused_naming_the_server_setting() {
        for (String bad : List.of("coap://vigil.example:5683", "https://vigil.example", "vigil.example:5684",
                "coaps:///nohost", "coaps://bad host:5684", "coaps://[::1:5684")) {
            assertThat(refusal("server=" + bad + "\n")).as(bad).startsWith("server");
        }
    }

    @Test
    void a_bad_duration_is_refused_naming_its_setting() {
        assertThat(refusal(SERVER + "interval=5\n")).startsWith("interval: '5' is not a duration");
        assertThat(refusal(SERVER + "interval=5 minutes\n")).startsWith("interval:");
        assertThat(refusal(SERVER + "interval=0s\n")).isEqualTo("interval: must be above zero");
        assertThat(refusal(SERVER + "timeout=-1s\n")).startsWith("timeout:");
        assertThat(refusal(SERVER + "backoff-max=1.5m\n")).startsWith("backoff-max:");
        assertThat(refusal(SERVER + "firmware-check=0h\n")).startsWith("firmware-check:");
        assertThat(refusal(SERVER + "rotate-every=yearly\n")).startsWith("rotate-every:");
    }

    @Test
    void a_number_outside_its_range_or_not_a_number_is_refused_naming_its_setting_and_range() {
        assertThat(refusal(SERVER + "pack=0\n")).isEqualTo("pack: '0' is not a whole number from 1 to 100");
        assertThat(refusal(SERVER + "pack=101\n")).startsWith("pack: '101'");
        assertThat(refusal(SERVER + "pack=ten\n")).startsWith("pack: 'ten'");
        assertThat(refusal(SERVER + "confirm-every=1.5\n")).startsWith("confirm-every:");
        assertThat(refusal(SERVER + "queue-max-bytes=4095\n")).startsWith("queue-max-bytes:");
        assertThat(refusal(SERVER + "seed=-1\n")).startsWith("seed:");
        assertThat(refusal(SERVER + "pack=99999999999\n")).startsWith("pack:");
    }

    @Test
    void other_bad_values_are_refused_naming_their_setting() {
        assertThat(refusal(SERVER + "reboot=yes\n")).isEqualTo("reboot: 'yes' is not true or false");
        assertThat(refusal(SERVER + "running=1.0\n")).startsWith("running: '1.0' is not VERSION:SEQUENCE");
        assertThat(refusal(SERVER + "sources= , \n")).startsWith("sources:");
        assertThat(refusal(SERVER + "commands=ping,selfdestruct\n")).startsWith("commands: 'selfdestruct'")
                .contains("command.selfdestruct=PROGRAM");
    }

    // ---- precedence: file, then what a set-interval command saved, then flags

    @Test
    void flags_override_the_file_setting_by_setting_and_leave_the_rest() throws IOException {
        AgentConfig config = load(SERVER + "interval=5m\nsources=sim\npack=20\n",
                Map.of("interval", "10s", "server", "coaps://127.0.0.1:40001"));

        assertThat(config.interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.server()).isEqualTo(URI.create("coaps://127.0.0.1:40001"));
        assertThat(config.sources()).containsExactly("sim");
        assertThat(config.pack()).isEqualTo(20);
    }

    @Test
    void a_server_given_only_as_a_flag_is_enough() throws IOException {
        AgentConfig config = AgentConfig.load(state, Map.of("server", "coaps://127.0.0.1:40001"));

        assertThat(config.server().getPort()).isEqualTo(40001);
    }

    @Test
    void a_bad_flag_is_refused_like_a_bad_file_setting() {
        assertThat(refusal(SERVER, Map.of("pack", "0"))).startsWith("pack:");
        assertThat(refusal(SERVER, Map.of("interval", "soon"))).startsWith("interval:");
    }

    @Test
    void an_interval_a_set_interval_command_saved_beats_the_file_and_survives_a_restart() throws IOException {
        Files.writeString(state.resolve(Agent.OVERRIDES), "interval=30s\n");

        assertThat(load(SERVER + "interval=5m\n").interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(load(SERVER).interval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void an_interval_flag_beats_the_saved_one() throws IOException {
        Files.writeString(state.resolve(Agent.OVERRIDES), "interval=30s\n");

        assertThat(load(SERVER + "interval=5m\n", Map.of("interval", "2s")).interval())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void the_saved_overrides_change_only_the_interval() throws IOException {
        Files.writeString(state.resolve(Agent.OVERRIDES), """
                interval=30s
                server=coaps://elsewhere.example:5684
                commands=reboot
                reboot=true
                """);

        AgentConfig config = load(SERVER);

        assertThat(config.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.server()).isEqualTo(URI.create("coaps://vigil.example:5684"));
        assertThat(config.commands()).isEmpty();
        assertThat(config.reboot()).isFalse();
    }

    @Test
    void with_interval_changes_the_interval_and_nothing_else() throws IOException {
        AgentConfig config = load(SERVER + "sources=sim\npack=3\nseed=9\n");

        AgentConfig changed = config.withInterval(Duration.ofMinutes(1));

        assertThat(changed.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(changed).isEqualTo(new AgentConfig(config.state(), config.server(), config.serverKey(),
                Duration.ofMinutes(1), config.sources(), config.pack(), config.sendEvery(), config.confirmEvery(),
                config.queueMaxBytes(), config.timeout(), config.backoffMax(), config.commands(),
                config.commandPrograms(), config.reboot(), config.firmwareHook(), config.firmwareCheck(), config.running(), config.rotateEvery(), config.seed()));
    }

    @Test
    void a_file_too_large_to_be_a_configuration_is_refused() throws IOException {
        Files.writeString(state.resolve(AgentConfig.FILE), SERVER + "#".repeat(64 * 1024));

        assertThatThrownBy(() -> AgentConfig.load(state, Map.of())).isInstanceOf(IOException.class)
                .hasMessageContaining("larger than 64 KiB");
    }

    @Test
    void the_example_in_the_readme_is_a_configuration_the_agent_takes() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```properties\n") + "```properties\n".length();
        Files.writeString(state.resolve(AgentConfig.FILE), readme.substring(start, readme.indexOf("```", start)));

        AgentConfig config = AgentConfig.load(state, Map.of());

        assertThat(config.sendEvery()).isEqualTo(1);
        assertThat(config.queueMaxBytes()).isEqualTo(1_048_576);
        assertThat(config.commandPrograms()).containsEntry("restart-app", "/usr/local/sbin/restart-app");
        assertThat(config.rotateEvery()).isEqualTo(Duration.ofDays(90));
    }
}
