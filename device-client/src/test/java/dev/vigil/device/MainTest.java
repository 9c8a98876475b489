package dev.vigil.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The vigil-device CLI in-process: one clear line and a non-zero exit on bad input. */
class MainTest {

    @TempDir
    Path state;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(new PrintWriter(out), new PrintWriter(err), args);
    }

    @Test
    void keygen_prints_the_key_id() {
        assertThat(run("keygen", "--state", state.toString())).isZero();
        assertThat(out.toString().trim()).startsWith("ni:///sha-256;").hasSize(57);
    }

    @ParameterizedTest(name = "vigil-device {0}")
    @CsvSource(delimiter = '|', value = {
        "send --server coaps://127.0.0.1:1 --server-key k --value t=1 | Missing required option: '--state=DIR'",
        "send --state s --server coaps://127.0.0.1:1 --server-key k --value temp | --value must be NAME=NUMBER",
        "send --state s --server coaps://127.0.0.1:1 --server-key k --value t=hot | --value must be NAME=NUMBER",
        "send --state s --server http://127.0.0.1:1 --server-key k --value t=1 | --server must be coaps://host:port",
        "fly | Unmatched argument",
    })
    void bad_arguments_give_one_line_and_exit_2(String args, String message) {
        assertThat(run(args.split(" "))).isEqualTo(Main.USAGE);
        assertThat(err.toString().split("\\R")).hasSize(1);
        assertThat(err.toString()).contains(message);
    }

    @Test
    void send_without_a_key_explains_keygen_and_exits_1() {
        int code = run("send", "--state", state.toString(), "--server", "coaps://127.0.0.1:1", "--server-key", "k",
                "--value", "t=1");
        assertThat(code).isEqualTo(Main.REFUSED);
        assertThat(err.toString().split("\\R")).hasSize(1);
        assertThat(err.toString()).contains("no device key in").contains("vigil-device keygen");
    }
}
