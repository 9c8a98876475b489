package dev.vigil.policy;

import static dev.vigil.policy.GivenPolicy.profile;
import static dev.vigil.policy.GivenPolicy.rule;
import static dev.vigil.policy.GivenPolicy.window;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionsTest {

    private static final long NOW = GivenPolicy.at("2026-03-02T10:00:00Z");

    private static RequestFacts facts(TrustTier tier, String firmware) {
        long version = firmware.equals("unknown") ? FirmwareVersion.UNKNOWN : FirmwareVersion.parse(firmware);
        return new RequestFacts(NOW, Method.POST, 112, 10, tier, version);
    }

    @ParameterizedTest(name = "minimum {0}, device on {1}: {2}")
    @CsvSource({
        "1.10.0, 1.9.9,   FIRMWARE_TOO_OLD",
        "1.10.0, 1.10.0,  ALLOW",
        "1.10.0, 1.10.1,  ALLOW",
        "1.10.0, 2.0,     ALLOW",
        "1.2.10, 1.2.9,   FIRMWARE_TOO_OLD",
        "2.0,    2.0.0,   ALLOW",
        "2.0.0,  2.0,     ALLOW",
        "2.0.0,  1.99.99, FIRMWARE_TOO_OLD",
        "2.0.0,  unknown, FIRMWARE_UNKNOWN",
        "0,      unknown, FIRMWARE_UNKNOWN",
    })
    void minimum_firmware_compares_numerically_and_refuses_unknown_versions(String minimum, String firmware,
            String expected) {
        PolicyEngine engine = GivenPolicy.with("sensor", profile().send(rule("t")).commands("reboot")
                .minFirmware(minimum)).engine();
        Subject sensor = engine.device(1, "sensor");

        assertThat(outcome(engine.decide(sensor, Action.SEND, "t", facts(TrustTier.TRUSTED, firmware)))).isEqualTo(expected);
        assertThat(outcome(engine.decide(sensor, Action.RECEIVE_COMMAND, "reboot", facts(TrustTier.TRUSTED, firmware))))
                .isEqualTo(expected);
    }

    // Without minTier the tiers still mean what DESIGN.md says: QUARANTINED only services, LIMITED no commands.
    @ParameterizedTest(name = "minTier {0}, device {1}: send {2}, command {3}, service {4}")
    @CsvSource({
        "'',          TRUSTED,     ALLOW,              ALLOW,              ALLOW",
        "'',          LIMITED,     ALLOW,              TRUST_TIER_TOO_LOW, ALLOW",
        "'',          QUARANTINED, TRUST_TIER_TOO_LOW, TRUST_TIER_TOO_LOW, ALLOW",
        "LIMITED,     LIMITED,     ALLOW,              TRUST_TIER_TOO_LOW, ALLOW",
        "TRUSTED,     LIMITED,     TRUST_TIER_TOO_LOW, TRUST_TIER_TOO_LOW, ALLOW",
        "TRUSTED,     TRUSTED,     ALLOW,              ALLOW,              ALLOW",
        "QUARANTINED, QUARANTINED, TRUST_TIER_TOO_LOW, TRUST_TIER_TOO_LOW, ALLOW",
    })
    void trust_tier_gates_sending_and_commands_but_never_services(String minTier, TrustTier tier, String send,
            String command, String service) {
        PolicyEngine engine = GivenPolicy.with("sensor", profile().send(rule("t")).commands("reboot")
                .services("firmware").minTier(minTier.isEmpty() ? null : minTier)).engine();
        Subject sensor = engine.device(1, "sensor");

        assertThat(outcome(engine.decide(sensor, Action.SEND, "t", facts(tier, "1.0")))).isEqualTo(send);
        assertThat(outcome(engine.decide(sensor, Action.RECEIVE_COMMAND, "reboot", facts(tier, "1.0")))).isEqualTo(command);
        assertThat(outcome(engine.decide(sensor, Action.USE_SERVICE, "firmware", facts(tier, "1.0")))).isEqualTo(service);
        assertThat(engine.permits(sensor, Action.SEND, "t", tier)).isEqualTo(send.equals("ALLOW"));
        assertThat(engine.permits(sensor, Action.RECEIVE_COMMAND, "reboot", tier)).isEqualTo(command.equals("ALLOW"));
    }

    private static String outcome(Decision decision) {
        return decision.reason().map(Enum::name).orElse("ALLOW");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"USE_SERVICE, firmware", "USE_SERVICE, key-rotation"})
    void services_stay_open_outside_the_schedule_on_old_firmware_in_quarantine(Action action, String service) {
        PolicyEngine engine = GivenPolicy.with("sensor", profile().services("firmware", "key-rotation")
                .schedule("UTC", window("SUN", "00:00", "01:00")).minFirmware("9.0").minTier("TRUSTED")).engine();
        RequestFacts worst = new RequestFacts(NOW, Method.GET, -1, 0, TrustTier.QUARANTINED, FirmwareVersion.UNKNOWN);

        assertThat(engine.decide(engine.device(1, "sensor"), action, service, worst)).isEqualTo(Decision.ALLOW);
    }
}
