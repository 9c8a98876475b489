package dev.vigil.provisioning.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vigil.policy.Action;
import dev.vigil.policy.CompiledPolicy;
import dev.vigil.policy.DeviceProfile;
import dev.vigil.policy.PolicyEngine;
import dev.vigil.policy.PolicySet;
import dev.vigil.policy.SendRule;
import dev.vigil.policy.TrustTier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyDocumentsTest {

    private static List<DocumentError> errorsOf(String json) {
        PolicyDocumentException e = catchThrowableOfType(PolicyDocumentException.class,
                () -> PolicyDocuments.compile(json, 1));
        assertThat(e).as("the document should have been refused").isNotNull();
        return e.errors();
    }

    private static String withRule(String rule) {
        return """
                {"profiles": {"sensor": {"send": [%s]}},
                 "roles": {"admin": {"operations": ["*"]}}}
                """.formatted(rule);
    }

    @Test
    void a_document_is_read_into_the_policy_records_with_defaults_for_what_it_leaves_out() throws Exception {
        PolicySet policy = PolicyDocuments.parse(withRule("""
                {"resource": "t", "methods": ["POST"], "maxPayload": 64, "rate": {"perSecond": 0.5, "burst": 2}}"""), 7);

        assertThat(policy.version()).isEqualTo(7);
        DeviceProfile sensor = policy.profiles().get("sensor");
        assertThat(sensor.send()).containsExactly(new SendRule("t", List.of("POST"), List.of(), 64,
                new dev.vigil.policy.Rate(0.5, 2), 0));
        assertThat(sensor.sessionMaxLifetime()).isEqualTo(Duration.ofHours(24));
        assertThat(sensor.maxKeyAge()).isNull();
        assertThat(sensor.approval()).isFalse();
        assertThat(sensor.conditions().schedule()).isNull();
    }

    @Test
    void errors_of_meaning_are_all_reported_each_at_its_line() {
        String json = """
                {
                  "profiles": {
                    "sensor": {
                      "send": [{"resource": "t", "methods": ["POST"], "maxPayload": 1024,
                                "rate": {"perSecond": 1,
                                         "burst": 0}}],
                      "services": ["firmware", "key-rotaton"],
                      "conditions": {"schedule": {"zone": "Europe/Berln",
                                                  "windows": [{"days": ["MON"], "from": "22:00", "to": "06:00"}]}}
                    }
                  },
                  "roles": {"admin": {"operations": ["*"]}}
                }
                """;

        List<DocumentError> errors = errorsOf(json);

        assertThat(errors).extracting(DocumentError::line, DocumentError::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple(6, "/profiles/sensor/send/0/rate/burst"),
                org.assertj.core.groups.Tuple.tuple(7, "/profiles/sensor/services/1"),
                org.assertj.core.groups.Tuple.tuple(8, "/profiles/sensor/conditions/schedule/zone"));
        assertThat(errors.get(0)).hasToString(
                "line 6, column 26: /profiles/sensor/send/0/rate/burst: burst must be at least 1: 0");
        assertThat(errors.get(2).format("site.json")).isEqualTo("site.json:8:35: /profiles/sensor/conditions/schedule/zone:"
                + " unknown time zone 'Europe/Berln'; use a region such as 'Europe/Berlin' or 'UTC'");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("trailing comma", """
                        {"profiles": {},
                         "roles": {"admin": {"operations": ["*"]},}}
                        """, 2, 43),
                Arguments.of("missing comma", """
                        {"profiles": {}
                         "roles": {}}
                        """, 2, 2),
                Arguments.of("unclosed array", """
                        {"profiles": {"a": {"send": [}}}
                        """, 1, 30),
                Arguments.of("unquoted name", """
                        {"profiles": {
                           sensor: {}}}
                        """, 2, 4),
                Arguments.of("empty document", "  ", 1, 1),
                Arguments.of("content after the document", """
                        {"profiles": {}, "roles": {}}
                        {}
                        """, 2, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformed_json_is_reported_at_its_line_and_column(String what, String json, int line, int column) {
        List<DocumentError> errors = errorsOf(json);

        assertThat(errors).singleElement().satisfies(error -> {
            assertThat(error.line()).as(error.toString()).isEqualTo(line);
            assertThat(error.column()).as(error.toString()).isEqualTo(column);
        });
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', value = {
        "{\"resource\": \"t\", \"methods\": [\"POST\"], \"maxPayload\": 1, \"rate\": {\"perSecond\": 1, \"burst\": 1}, \"maxPayLoad\": 9} | /profiles/sensor/send/0/maxPayLoad | unknown field 'maxPayLoad'",
        "{\"resource\": \"t\", \"methods\": [\"POST\"], \"maxPayload\": 1, \"rate\": {\"perSecond\": 1, \"burst\": 1, \"burts\": 2}} | /profiles/sensor/send/0/rate/burts | unknown field 'burts'",
        "{\"resource\": \"t\", \"methods\": [\"POST\"], \"maxPayload\": 1}                                                          | /profiles/sensor/send/0/rate       | missing required field 'rate'",
        "{\"resource\": \"t\", \"methods\": \"POST\", \"maxPayload\": 1, \"rate\": {\"perSecond\": 1, \"burst\": 1}}                | /profiles/sensor/send/0/methods    | must be an array",
        "{\"resource\": 5, \"methods\": [\"POST\"], \"maxPayload\": 1, \"rate\": {\"perSecond\": 1, \"burst\": 1}}                  | /profiles/sensor/send/0/resource   | must be a string",
        "{\"resource\": \"t\", \"methods\": [\"POST\"], \"maxPayload\": 1.5, \"rate\": {\"perSecond\": 1, \"burst\": 1}}            | /profiles/sensor/send/0/maxPayload | must be a whole number",
        "{\"resource\": \"t\", \"methods\": [\"POST\"], \"maxPayload\": 1, \"rate\": {\"perSecond\": \"1\", \"burst\": 1}}          | /profiles/sensor/send/0/rate/perSecond | must be a number",
        "{\"resource\": \"t\", \"methods\": [\"POST\"], \"maxPayload\": 3000000000, \"rate\": {\"perSecond\": 1, \"burst\": 1}}     | /profiles/sensor/send/0/maxPayload | must be from",
        "{\"resource\": \"t\", \"resource\": \"u\", \"methods\": [\"POST\"], \"maxPayload\": 1, \"rate\": {\"perSecond\": 1, \"burst\": 1}} | /profiles/sensor/send/0/resource | duplicate field 'resource'",
    })
    void typos_wrong_types_and_missing_fields_are_errors_not_silent_defaults(String rule, String path, String message) {
        List<DocumentError> errors = errorsOf(withRule(rule));

        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).path()).isEqualTo(path);
        assertThat(errors.get(0).message()).contains(message);
        assertThat(errors.get(0).line()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} levels deep")
    @CsvSource({"33", "1000", "100000"})
    void nesting_deeper_than_32_levels_is_one_error_at_the_first_level_too_deep(int depth) {
        List<DocumentError> errors = errorsOf("{\"profiles\": {}, \"roles\": {}, \"x\": " + "[".repeat(depth - 1)
                + "]".repeat(depth - 1) + "}");

        assertThat(errors).singleElement().satisfies(error -> {
            assertThat(error.message()).isEqualTo("nested deeper than 32 levels");
            assertThat(error.line()).isEqualTo(1);
            assertThat(error.column()).as("the 33rd level").isEqualTo(36 + 31);
        });
    }

    @Test
    void nesting_of_32_levels_is_read() {
        List<DocumentError> errors = errorsOf("{\"profiles\": {}, \"roles\": {}, \"x\": " + "[".repeat(31)
                + "]".repeat(31) + "}");

        assertThat(errors).singleElement().satisfies(error -> assertThat(error.message()).startsWith("unknown field 'x'"));
    }

    @Test
    void a_duplicate_key_is_named_at_its_line_with_the_line_of_the_first_even_when_its_value_is_broken() {
        List<DocumentError> errors = errorsOf("""
                {"profiles": {},
                 "roles": {"admin": {"operations": ["*"]}},
                 "roles": {"admin": {"operations": ["*",]}}}
                """);

        assertThat(errors.get(0)).hasToString("line 3, column 2: /roles: duplicate field 'roles' (first at line 2)");
    }

    @Test
    void a_number_with_an_exponent_beyond_reading_is_a_located_error() {
        List<DocumentError> errors = errorsOf(withRule("""
                {"resource": "t", "methods": ["POST"], "maxPayload": 1, "rate": {"perSecond": 1, "burst": 1},
                 "dailyVolume": 1e30810485760}"""));

        assertThat(errors).singleElement().hasToString(
                "line 2, column 17: /profiles/sensor/send/0/dailyVolume: number out of range: 1e30810485760");
    }

    @Test
    void a_field_name_with_control_characters_is_quoted_escaped_so_the_error_stays_one_line() {
        List<DocumentError> errors = errorsOf("""
                {"profiles": {}, "roles": {"auditor": {"op\\ration\\u001b[2Js": ["*"]}}}""");

        assertThat(errors).extracting(DocumentError::toString).containsExactly(
                "line 1, column 28: /roles/auditor/operations: missing required field 'operations'",
                "line 1, column 40: /roles/auditor/op\\ration\\u001b[2Js: unknown field 'op\\ration\\u001b[2Js';"
                        + " expected one of operations");
    }

    @Test
    void a_document_over_1_mib_is_refused_before_it_is_read() {
        String big = "{\"profiles\": {}, \"roles\": {}, \"x\": \"" + "é".repeat(512 * 1024) + "\"}";

        assertThat(errorsOf(big)).singleElement()
                .satisfies(error -> assertThat(error.message()).isEqualTo("the document is larger than 1 MiB"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"90s, PT1M30S", "30m, PT30M", "24h, PT24H", "365d, PT8760H", "500ms, PT0.5S"})
    void durations_are_a_number_and_a_unit(String text, Duration expected) throws Exception {
        PolicySet policy = PolicyDocuments.parse("""
                {"profiles": {"p": {"session": {"maxLifetime": "%s"}, "maxKeyAge": "%s"}}, "roles": {}}
                """.formatted(text, text), 1);

        assertThat(policy.profiles().get("p").sessionMaxLifetime()).isEqualTo(expected);
        assertThat(policy.profiles().get("p").maxKeyAge()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"24 h", "1h30m", "PT24H", "h", "-1h", "1w"})
    void anything_else_is_not_a_duration(String text) {
        List<DocumentError> errors = errorsOf("""
                {"profiles": {"p": {"session": {"maxLifetime": "%s"}}}, "roles": {"admin": {"operations": ["*"]}}}
                """.formatted(text));

        assertThat(errors).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("/profiles/p/session/maxLifetime");
            assertThat(error.message()).startsWith("'" + text + "' is not a duration");
        });
    }

    @Test
    void the_shipped_default_policy_parses_compiles_and_grants_what_it_should() throws Exception {
        CompiledPolicy policy = PolicyDocuments.compile(Files.readString(Path.of("../policies/default.json")), 1);
        PolicyEngine engine = new PolicyEngine(policy, 100);

        assertThat(policy.source().profiles()).containsOnlyKeys("sensor", "actuator", "gateway", "restricted");
        assertThat(policy.source().roles()).containsOnlyKeys("admin", "operator", "installer", "auditor");
        assertThat(engine.permits(engine.device(1, "sensor"), Action.SEND, "t", TrustTier.TRUSTED)).isTrue();
        assertThat(engine.permits(engine.device(1, "sensor"), Action.RECEIVE_COMMAND, "on", TrustTier.TRUSTED)).isFalse();
        assertThat(engine.permits(engine.device(2, "actuator"), Action.RECEIVE_COMMAND, "set", TrustTier.TRUSTED)).isTrue();
        assertThat(engine.permits(engine.device(3, "restricted"), Action.SEND, "t", TrustTier.TRUSTED)).isFalse();
        assertThat(engine.permits(engine.device(3, "restricted"), Action.USE_SERVICE, "key-rotation", TrustTier.QUARANTINED))
                .isTrue();
        assertThat(engine.permits(engine.device(3, "restricted"), Action.USE_SERVICE, "firmware", TrustTier.TRUSTED))
                .isFalse();
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
        "admin, policy.apply, true", "admin, operator.add, true",
        "operator, device.decommission, true", "operator, firmware.assign, true", "operator, command.send, true",
        "operator, token.create, true", "operator, key.rotate, true", "operator, telemetry.tail, true",
        "operator, policy.apply, false", "operator, operator.add, false", "operator, operator.list, false",
        "installer, token.create, true", "installer, device.import, true", "installer, device.approve, true",
        "installer, device.show, true", "installer, device.add, false", "installer, device.suspend, false",
        "installer, command.send, false",
        "auditor, device.list, true", "auditor, operator.list, true", "auditor, policy.show, true",
        "auditor, audit.verify, true", "auditor, telemetry.tail, true", "auditor, policy.validate, true",
        "auditor, device.add, false", "auditor, policy.apply, false", "auditor, key.rotate, false",
    })
    void the_shipped_roles_separate_duties(String role, String operation, boolean allowed) throws Exception {
        PolicyEngine engine = new PolicyEngine(
                PolicyDocuments.compile(Files.readString(Path.of("../policies/default.json")), 1), 10);

        assertThat(engine.permits(engine.operator(1, role), Action.OPERATE, operation, TrustTier.TRUSTED))
                .isEqualTo(allowed);
    }
}
