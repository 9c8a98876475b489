package dev.vigil.provisioning.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad arguments: one clear line on stderr, exit 2, nothing run. The transport must never be touched. */
class VigilCliUsageTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int vigil(Map<String, String> env, String... args) {
        CliContext context = new CliContext(
                endpoint -> {
                    throw new AssertionError("a usage error must not reach the server");
                },
                (data, port, mgmt) -> {
                    throw new AssertionError("a usage error must not start a server");
                },
                env, new PrintWriter(out), new PrintWriter(err));
        return VigilCli.run(context, args);
    }

    private String[] errLines() {
        return err.toString().split("\\R");
    }

    @ParameterizedTest(name = "vigil {0}")
    @CsvSource(delimiter = '|', value = {
        "frobnicate | Unmatched argument",
        "device | Missing required subcommand",
        "device add sensor-1 --profile sensor | Missing required option: '--key=PUBKEY.pem' (only an OSCORE or PSK child may go without one)",
        "device add c1 --profile sensor --psk-out c1.psk | --psk-out is only for --mode proxy",
        "device add c1 --profile sensor --via gw1 --mode relay --key c1.pem --psk-out c1.psk | --psk-out is only for --mode proxy",
        "device list --bogus | Unknown option: '--bogus'",
        "devce list | did you mean 'device'",
        "device list --stat ACTIVE | did you mean '--state'?",
        "device list | no management endpoint",
        "device list --server http://x:1 --operator-key k --server-key s | --server must be a coaps://host:port URI",
        "telemetry tail | Missing required parameter: 'NAME'",
        "telemetry tail s1 -n many | Invalid value for option '--lines'",
        "init | Missing required option: '--data=DIR'",
        "server --data /nonexistent | is not a Vigil data directory",
    })
    void bad_arguments_give_one_line_and_exit_2(String args, String message) {
        int code = vigil(Map.of(), args.split(" "));
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(errLines()).hasSize(1);
        assertThat(err.toString()).contains(message).startsWith("vigil");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void completion_prints_a_bash_script_that_knows_the_commands_and_their_options() {
        assertThat(vigil(Map.of(), "completion")).isZero();
        assertThat(out.toString()).contains("complete -F").contains("device").contains("--seen-before")
                .contains("telemetry");
    }

    @Test
    void a_port_out_of_range_is_a_usage_error() throws Exception {
        dev.vigil.provisioning.DataDir.init(dir.resolve("data"));
        int code = vigil(Map.of(), "server", "--data", dir.resolve("data").toString(), "--port", "70000");
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(errLines()).containsExactly(
                "vigil server: --port must be between 0 and 65535, not 70000 (see 'vigil server --help')");
    }

    @Test
    void data_dir_that_is_not_initialised_is_a_usage_error() {
        int code = vigil(Map.of(), "device", "list", "--data", dir.toString());
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(errLines()).hasSize(1);
        assertThat(err.toString()).contains("is not an initialised Vigil data directory");
    }

    @Test
    void init_into_a_non_empty_directory_fails_with_one_line_and_exit_1() throws Exception {
        Files.writeString(dir.resolve("x"), "x");
        int code = vigil(Map.of(), "init", "--data", dir.toString());
        assertThat(code).isEqualTo(ExitCodes.FAILED);
        assertThat(errLines()).containsExactly("vigil init: " + dir + " is not empty; init needs a new or empty directory");
    }

    @Test
    void environment_variables_name_the_endpoint_but_a_missing_key_file_is_one_line() {
        int code = vigil(Map.of("VIGIL_SERVER", "coaps://127.0.0.1:5685", "VIGIL_KEY", "/nope/key.pem",
                "VIGIL_SERVER_KEY", "/nope/server.pub.pem"), "device", "list");
        assertThat(code).isEqualTo(ExitCodes.FAILED);
        assertThat(errLines()).containsExactly("vigil device list: no such file: /nope/key.pem");
    }

    @Test
    void help_prints_usage_and_exit_codes() {
        int code = vigil(Map.of(), "--help");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("Usage: vigil").contains("3   cannot reach the server");
    }
}
