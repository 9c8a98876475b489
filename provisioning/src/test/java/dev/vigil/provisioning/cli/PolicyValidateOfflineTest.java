package dev.vigil.provisioning.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code vigil policy validate FILE} with no server at all (the connector fails the test if it is asked): every check
 * that needs no registry, every error in one pass, exit 0 valid, 1 invalid, 2 usage. For CI.
 */
class PolicyValidateOfflineTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int vigil(Map<String, String> env, String... args) {
        CliContext context = new CliContext(
                endpoint -> {
                    throw new AssertionError("offline validation must not connect");
                },
                (data, port, mgmt) -> {
                    throw new AssertionError("no server here");
                },
                env, new PrintWriter(out), new PrintWriter(err));
        return VigilCli.run(context, args);
    }

    private Path policy(String json) throws Exception {
        Path file = dir.resolve("policy.json");
        Files.writeString(file, json);
        return file;
    }

    @Test
    void several_errors_in_one_file_are_all_reported_in_one_pass() throws Exception {
        Path file = policy("""
                {"profiles": {
                  "sensor": {"send": [{"resource": "t", "methods": ["POST"], "maxPayload": 1024,
                                       "rate": {"perSecond": 1, "burst": 0}}]},
                  "x": {"services": ["teleport"]}
                 },
                 "roles": {"admin": {"operations": ["*"]},
                           "ops": {"operations": ["devise.add", "firmware.rolout.*", "*.lists", "device.list"]}}}
                """);

        int code = vigil(Map.of(), "policy", "validate", file.toString());

        assertThat(code).isEqualTo(ExitCodes.FAILED);
        String[] lines = err.toString().split("\\R");
        assertThat(lines).hasSize(6);
        assertThat(lines[0]).startsWith(file + ":3:").contains("/profiles/sensor/send/0/rate/burst");
        assertThat(lines[1]).startsWith(file + ":4:").contains("/profiles/x/services/0");
        assertThat(lines[2]).startsWith(file + ":7:").endsWith(
                "/roles/ops/operations/0: unknown operation 'devise.add'; did you mean 'device.add'?");
        assertThat(lines[3]).endsWith("/roles/ops/operations/1: operation pattern 'firmware.rolout.*' matches no operation");
        assertThat(lines[4]).endsWith("/roles/ops/operations/2: operation pattern '*.lists' matches no operation");
        assertThat(lines[5]).isEqualTo("vigil policy.validate: " + file + " refused (5 errors), checked offline");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void an_unknown_operation_is_named_even_alongside_errors_of_shape() throws Exception {
        Path file = policy("""
                {"profiles": {"sensor": {"sned": []}},
                 "roles": {"admin": {"operations": ["*", "policy.aply"]}}}
                """);

        int code = vigil(Map.of(), "policy", "validate", file.toString());

        assertThat(code).isEqualTo(ExitCodes.FAILED);
        assertThat(err.toString()).contains("/profiles/sensor/sned")
                .contains(file + ":2:").contains("/roles/admin/operations/1: unknown operation 'policy.aply';"
                        + " did you mean 'policy.apply'?")
                .contains("refused (2 errors), checked offline");
    }

    static Stream<Path> shippedPolicies() throws Exception {
        return Stream.concat(Stream.of(Path.of("../policies/default.json")),
                Files.list(Path.of("../policies/examples")).filter(p -> p.toString().endsWith(".json")).sorted());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shippedPolicies")
    void a_valid_file_exits_0_with_no_server(Path file) {
        int code = vigil(Map.of(), "policy", "validate", file.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith(file + ": valid (offline:");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void offline_flag_skips_a_configured_server() throws Exception {
        Path file = policy(Files.readString(Path.of("../policies/default.json")));

        int code = vigil(Map.of("VIGIL_SERVER", "coaps://127.0.0.1:1"), "policy", "validate", "--offline",
                file.toString(), "--json");

        assertThat(code).isZero();
        assertThat(out.toString().trim()).isEqualTo("{\"valid\":true,\"offline\":true}");
    }

    @Test
    void a_configured_server_is_asked() throws Exception {
        Path file = policy(Files.readString(Path.of("../policies/default.json")));

        int code = vigil(Map.of("VIGIL_SERVER", "coaps://127.0.0.1:1"), "policy", "validate", file.toString());

        assertThat(code).as("no keys given: the endpoint is incomplete").isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("no management endpoint");
    }

    @Test
    void no_file_is_a_usage_error() {
        assertThat(vigil(Map.of(), "policy", "validate")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Missing required parameter: 'FILE'");
    }

    @Test
    void a_missing_file_is_one_line_and_exit_1() {
        assertThat(vigil(Map.of(), "policy", "validate", dir.resolve("nope.json").toString()))
                .isEqualTo(ExitCodes.FAILED);
        assertThat(err.toString().split("\\R")).hasSize(1);
    }
}
