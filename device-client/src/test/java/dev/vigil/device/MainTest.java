package dev.vigil.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
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

    @Test
    void keygen_with_algorithm_ed25519_makes_an_ed25519_key() throws Exception {
        assertThat(run("keygen", "--state", state.toString(), "--algorithm", "ed25519")).isZero();
        assertThat(out.toString().trim()).startsWith("ni:///sha-256;").hasSize(57);
        assertThat(KeyAlgorithm.of(DeviceKeys.load(state).getPublic())).isEqualTo(KeyAlgorithm.ED25519);
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void keygen_without_algorithm_makes_an_ec_p256_key_as_before() throws Exception {
        assertThat(run("keygen", "--state", state.toString())).isZero();
        assertThat(KeyAlgorithm.of(DeviceKeys.load(state).getPublic())).isEqualTo(KeyAlgorithm.P256);
    }

    @ParameterizedTest(name = "vigil-device {0}")
    @CsvSource(delimiter = '|', value = {
        "keygen --state s --algorithm rsa | expected p256 or ed25519, not 'rsa'",
        "keygen --state s --algorithm | Missing required parameter for option '--algorithm'",
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

    @ParameterizedTest(name = "vigil-device {0}")
    @CsvSource(delimiter = '|', value = {
        "send --state STATE --server coaps://127.0.0.1:1 --server-key /dev/zero --value t=1"
            + " | vigil-device send: /dev/zero: larger than 64 KiB; not a key file",
        "enroll --state STATE --server coaps://127.0.0.1:1 --server-key /dev/zero --token vgt_x"
            + " | vigil-device enroll: /dev/zero: larger than 64 KiB; not a key file",
        "rotate --state STATE --server coaps://127.0.0.1:1 --server-key /dev/zero"
            + " | vigil-device rotate: /dev/zero: larger than 64 KiB; not a key file",
    })
    void a_server_key_that_is_no_key_file_is_one_line_and_exit_1(String args, String message) {
        assertThat(run("keygen", "--state", state.toString())).isZero();

        int code = run(args.replace("STATE", state.toString()).split(" "));

        assertThat(err.toString().split("\\R")).containsExactly(message);
        assertThat(code).isEqualTo(Main.REFUSED);
    }

    @Test
    void a_device_key_file_that_is_a_device_is_read_only_up_to_the_limit() throws Exception {
        Files.createSymbolicLink(state.resolve(DeviceKeys.KEY_FILE), Path.of("/dev/zero"));

        int code = run("send", "--state", state.toString(), "--server", "coaps://127.0.0.1:1", "--server-key", "k",
                "--value", "t=1");

        assertThat(err.toString().split("\\R")).containsExactly("vigil-device send: "
                + state.resolve(DeviceKeys.KEY_FILE) + ": larger than 64 KiB; not a key file");
        assertThat(code).isEqualTo(Main.REFUSED);
    }

    @Test
    void a_key_block_that_is_not_base64_is_one_plain_line() throws Exception {
        Path serverKey = state.resolve("server.pub.pem");
        Files.writeString(serverKey, "-----BEGIN PUBLIC KEY-----\nA=A=\n-----END PUBLIC KEY-----\n");
        assertThat(run("keygen", "--state", state.toString())).isZero();

        int code = run("send", "--state", state.toString(), "--server", "coaps://127.0.0.1:1", "--server-key",
                serverKey.toString(), "--value", "t=1");

        assertThat(err.toString().split("\\R")).containsExactly("vigil-device send: " + serverKey
                + ": the PUBLIC KEY block is not valid base64");
        assertThat(code).isEqualTo(Main.REFUSED);
    }
}
