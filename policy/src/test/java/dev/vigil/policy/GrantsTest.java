package dev.vigil.policy;

import static dev.vigil.policy.GivenPolicy.profile;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Commands, services and operator roles: names granted, everything else denied. */
class GrantsTest {

    private static final RequestFacts FACTS = RequestFacts.at(GivenPolicy.at("2026-03-02T10:00:00Z"));

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
        "RECEIVE_COMMAND, on,           ALLOW",
        "RECEIVE_COMMAND, off,          ALLOW",
        "RECEIVE_COMMAND, reboot,       COMMAND_NOT_ALLOWED",
        "RECEIVE_COMMAND, ON,           COMMAND_NOT_ALLOWED",
        "USE_SERVICE,     firmware,     ALLOW",
        "USE_SERVICE,     key-rotation, SERVICE_NOT_ALLOWED",
        "USE_SERVICE,     enroll,       SERVICE_NOT_ALLOWED",
        "USE_SERVICE,     fw,           SERVICE_NOT_ALLOWED",
        "OPERATE,         device.add,   OPERATION_NOT_ALLOWED",
    })
    void devices_get_only_the_commands_and_services_named(Action action, String resource, String expected) {
        PolicyEngine engine = GivenPolicy.with("actuator", profile().commands("on", "off").services("firmware")).engine();
        Subject actuator = engine.device(1, "actuator");

        Decision decision = engine.decide(actuator, action, resource, FACTS);

        assertThat(decision.reason().map(Enum::name).orElse("ALLOW")).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void asking_for_commands_at_all_needs_a_profile_that_lists_one_and_no_tier() {
        PolicyEngine engine = GivenPolicy.with("actuator", profile().commands("on")).and("sensor", profile()).engine();
        RequestFacts limited = new RequestFacts(FACTS.nowMillis(), Method.GET, RequestFacts.NO_CONTENT_FORMAT, 0,
                TrustTier.LIMITED, FirmwareVersion.UNKNOWN);

        assertThat(engine.decide(engine.device(1, "actuator"), Action.RECEIVE_COMMAND, Action.ANY_COMMAND, limited))
                .as("a LIMITED actuator may still ask; its commands are held").isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(engine.device(1, "actuator"), Action.RECEIVE_COMMAND, "on", limited).reason())
                .contains(DenyReason.TRUST_TIER_TOO_LOW);
        assertThat(engine.decide(engine.device(2, "sensor"), Action.RECEIVE_COMMAND, Action.ANY_COMMAND, FACTS).reason())
                .contains(DenyReason.COMMAND_NOT_ALLOWED);
        assertThat(engine.permits(engine.device(2, "sensor"), Action.RECEIVE_COMMAND, Action.ANY_COMMAND,
                TrustTier.TRUSTED)).as("no </cmd> in a sensor's discovery").isFalse();
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
        "admin,     operator.remove, true",
        "admin,     anything,        true",
        "installer, token.create,    true",
        "installer, device.approve,  true",
        "installer, device.add,      false",
        "installer, device,          false",
        "operator,  device.add,      true",
        "operator,  device.x.y,      true",
        "operator,  devices.add,     false",
        "operator,  device,          false",
        "operator,  policy.apply,    false",
        "auditor,   device.list,     true",
        "auditor,   operator.list,   true",
        "auditor,   list,            false",
        "auditor,   device.listing,  false",
        "auditor,   audit.verify,    true",
        "auditor,   events,          true",
        "auditor,   events.purge,    false",
        "auditor,   device.add,      false",
        "nobody,    status,          false",
    })
    void operator_roles_match_exact_prefix_and_suffix_patterns(String role, String operation, boolean allowed) {
        PolicyEngine engine = GivenPolicy.withRoles(Map.of(
                "admin", new OperatorRole(List.of("*")),
                "operator", new OperatorRole(List.of("device.*", "token.create")),
                "installer", new OperatorRole(List.of("token.create", "device.approve")),
                "auditor", new OperatorRole(List.of("*.list", "audit.*", "events")),
                "nobody", new OperatorRole(List.of()))).engine();
        Subject operator = engine.operator(7, role);

        Decision decision = engine.decide(operator, Action.OPERATE, operation, FACTS);

        assertThat(decision).isEqualTo(allowed ? Decision.ALLOW : Decision.deny(DenyReason.OPERATION_NOT_ALLOWED));
        assertThat(engine.permits(operator, Action.OPERATE, operation, TrustTier.TRUSTED)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
        "OPERATE,         status,   UNKNOWN_ROLE",
        "SEND,            t,        RESOURCE_NOT_ALLOWED",
        "USE_SERVICE,     firmware, SERVICE_NOT_ALLOWED",
        "RECEIVE_COMMAND, on,       COMMAND_NOT_ALLOWED",
    })
    void an_operator_with_an_unknown_role_gets_nothing_and_operators_never_hold_device_grants(Action action,
            String resource, DenyReason reason) {
        PolicyEngine engine = GivenPolicy.with("actuator", profile().send(GivenPolicy.rule("t")).commands("on")
                .services("firmware")).engine();
        // Operator 1 and device 1 are different principals; the role name matches no role.
        engine.device(1, "actuator");
        Subject operator = engine.operator(1, "actuator");

        assertThat(engine.decide(operator, action, resource, FACTS)).isEqualTo(Decision.deny(reason));
        assertThat(operator.denials()).isEqualTo(1);
    }
}
