package dev.vigil.policy;

import static dev.vigil.policy.GivenPolicy.profile;
import static dev.vigil.policy.GivenPolicy.rule;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SendDecisionTest {

    private static final long NOW = GivenPolicy.at("2026-03-02T10:00:00Z");

    private final PolicyEngine engine = GivenPolicy.with("sensor", profile()
            .send(rule("t").methods("POST").formats(110, 112).maxPayload(1024))
            .send(rule("fw/status").methods("POST", "PUT").formats().maxPayload(64))).engine();
    private final Subject sensor = engine.device(1, "sensor");

    @ParameterizedTest(name = "{0} {1} format {2}, {3} bytes: {4}")
    @CsvSource({
        "t,         POST,   112, 1023, ALLOW",
        "t,         POST,   110, 1024, ALLOW",
        "t,         POST,   112, 1025, PAYLOAD_TOO_LARGE",
        "t,         POST,   112,    0, ALLOW",
        "t,         PUT,    112,   10, METHOD_NOT_ALLOWED",
        "t,         GET,     -1,    0, METHOD_NOT_ALLOWED",
        "t,         POST,    50,   10, CONTENT_FORMAT_NOT_ALLOWED",
        "t,         POST,    -1,   10, CONTENT_FORMAT_NOT_ALLOWED",
        "fw/status, PUT,     -1,   64, ALLOW",
        "fw/status, POST,    60,   63, ALLOW",
        "fw/status, POST,    60,   65, PAYLOAD_TOO_LARGE",
        "fw/status, DELETE,  -1,    0, METHOD_NOT_ALLOWED",
        "T,         POST,   112,   10, RESOURCE_NOT_ALLOWED",
        "/t,        POST,   112,   10, RESOURCE_NOT_ALLOWED",
        "t/x,       POST,   112,   10, RESOURCE_NOT_ALLOWED",
        "fw,        POST,    -1,   10, RESOURCE_NOT_ALLOWED",
        "'',        POST,    -1,   10, RESOURCE_NOT_ALLOWED",
    })
    void send_is_allowed_only_as_a_rule_says(String resource, Method method, int format, int size, String expected) {
        RequestFacts facts = new RequestFacts(NOW, method, format, size, TrustTier.TRUSTED, FirmwareVersion.UNKNOWN);

        Decision decision = engine.decide(sensor, Action.SEND, resource, facts);

        assertThat(decision).isEqualTo(expected.equals("ALLOW") ? Decision.ALLOW
                : Decision.deny(DenyReason.valueOf(expected)));
        assertThat(sensor.denials()).isEqualTo(decision.allowed() ? 0 : 1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"SEND, t", "RECEIVE_COMMAND, reboot", "USE_SERVICE, firmware", "OPERATE, device.add"})
    void a_device_whose_profile_is_not_in_the_policy_is_denied_everything(Action action, String resource) {
        Subject stranger = engine.device(2, "no-such-profile");

        Decision decision = engine.decide(stranger, action, resource, GivenPolicy.post(NOW, 10));

        assertThat(decision.reason()).contains(action == Action.OPERATE
                ? DenyReason.OPERATION_NOT_ALLOWED : DenyReason.UNKNOWN_PROFILE);
        assertThat(engine.permits(stranger, action, resource, TrustTier.TRUSTED)).isFalse();
    }

    @ParameterizedTest(name = "{0} {1} at {2}: {3}")
    @CsvSource({
        "SEND,            t,        TRUSTED,     true",
        "SEND,            t,        LIMITED,     true",
        "SEND,            t,        QUARANTINED, false",
        "SEND,            x,        TRUSTED,     false",
        "USE_SERVICE,     firmware, QUARANTINED, false",
        "RECEIVE_COMMAND, reboot,   TRUSTED,     false",
        "OPERATE,         status,   TRUSTED,     false",
    })
    void permits_answers_the_static_question(Action action, String resource, TrustTier tier, boolean expected) {
        assertThat(engine.permits(sensor, action, resource, tier)).isEqualTo(expected);
        assertThat(sensor.denials()).isZero();
    }
}
