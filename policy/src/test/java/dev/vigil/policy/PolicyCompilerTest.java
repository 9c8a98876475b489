package dev.vigil.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyCompilerTest {

    private static final Rate RATE = new Rate(1, 10);
    private static final SendRule GOOD_RULE = new SendRule("t", List.of("POST"), List.of(112), 1024, RATE, 0);

    private static List<PolicyError> errorsOf(PolicySet policy) {
        PolicyException e = catchThrowableOfType(PolicyException.class, () -> PolicyCompiler.compile(policy));
        assertThat(e).as("compile should have failed").isNotNull();
        return e.errors();
    }

    private static PolicySet withProfile(DeviceProfile profile) {
        return new PolicySet(1, Map.of("sensor", profile), Map.of("admin", GivenPolicy.ADMIN));
    }

    private static DeviceProfile sending(SendRule rule) {
        return new DeviceProfile(List.of(GOOD_RULE, rule), List.of(), List.of(), null, null, false, null);
    }

    @ParameterizedTest(name = "{7}: {8}")
    @CsvSource(delimiter = '|', value = {
        "''           | POST  | 112   | 1    | 1    | 10 | 0  | /profiles/sensor/send/1/resource     | resource must not be empty",
        "/t           | POST  | 112   | 1    | 1    | 10 | 0  | /profiles/sensor/send/1/resource     | must be a CoAP path",
        "a//b         | POST  | 112   | 1    | 1    | 10 | 0  | /profiles/sensor/send/1/resource     | must be a CoAP path",
        "t/*          | POST  | 112   | 1    | 1    | 10 | 0  | /profiles/sensor/send/1/resource     | must be a CoAP path",
        "t            | POST  | 112   | 1    | 1    | 10 | 0  | /profiles/sensor/send/1/resource     | already has a send rule at /profiles/sensor/send/0",
        "u            | PSOT  | 112   | 1    | 1    | 10 | 0  | /profiles/sensor/send/1/methods/0    | unknown method 'PSOT'",
        "u            | ''    | 112   | 1    | 1    | 10 | 0  | /profiles/sensor/send/1/methods      | at least one method",
        "u            | POST  | 65536 | 1    | 1    | 10 | 0  | /profiles/sensor/send/1/formats/0    | content format must be 0-65535",
        "u            | POST  | 112   | -1   | 1    | 10 | 0  | /profiles/sensor/send/1/maxPayload   | must not be negative",
        "u            | POST  | 112   | 1    | -1   | 10 | 0  | /profiles/sensor/send/1/rate/perSecond | perSecond must be above 0",
        "u            | POST  | 112   | 1    | 0    | 10 | 0  | /profiles/sensor/send/1/rate/perSecond | perSecond must be above 0",
        "u            | POST  | 112   | 1    | 2e6  | 10 | 0  | /profiles/sensor/send/1/rate/perSecond | at most 1000000",
        "u            | POST  | 112   | 1    | NaN  | 10 | 0  | /profiles/sensor/send/1/rate/perSecond | perSecond must be above 0",
        "u            | POST  | 112   | 1    | 1    | 0  | 0  | /profiles/sensor/send/1/rate/burst   | burst must be at least 1",
        "u            | POST  | 112   | 1    | 1    | 10 | -1 | /profiles/sensor/send/1/dailyVolume  | dailyVolume must be 0 (unlimited)",
    })
    void each_send_rule_problem_is_reported_at_its_pointer(String resource, String method, int format, int maxPayload,
            double perSecond, int burst, long dailyVolume, String path, String message) {
        SendRule rule = new SendRule(resource, method.isEmpty() ? List.of() : List.of(method), List.of(format),
                maxPayload, new Rate(perSecond, burst), dailyVolume);

        List<PolicyError> errors = errorsOf(withProfile(sending(rule)));

        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).path()).isEqualTo(path);
        assertThat(errors.get(0).message()).contains(message);
    }

    @Test
    void every_error_of_a_document_is_reported_in_document_order() {
        Schedule schedule = new Schedule("Europe/Berln", List.of(
                new ScheduleWindow(List.of("MON", "MOM"), "22:00", "22:00"),
                new ScheduleWindow(List.of(), "25:00", "24:00")));
        DeviceProfile broken = new DeviceProfile(
                List.of(new SendRule("t", List.of("POST"), List.of(), 10, new Rate(-1, 0), 0)),
                List.of("reboot", "re boot"), List.of("firmware", "firmwre"),
                new Conditions(schedule, "1.2.x", "TRUSTY"), Duration.ZERO, false, Duration.ofDays(-1));
        Map<String, DeviceProfile> profiles = new LinkedHashMap<>();
        profiles.put("sensor", broken);
        profiles.put("bad/name", new DeviceProfile(List.of(), List.of(), List.of(), null, null, false, null));
        Map<String, OperatorRole> roles = new LinkedHashMap<>();
        roles.put("auditor", new OperatorRole(List.of("*.list", "dev*ce", "*.*", "policy.apply.*", "device.")));
        roles.put("much-too-long-role-name", new OperatorRole(List.of()));

        List<PolicyError> errors = errorsOf(new PolicySet(3, profiles, roles));

        assertThat(errors).extracting(PolicyError::path).containsExactly(
                "/profiles/sensor/send/0/rate/perSecond",
                "/profiles/sensor/send/0/rate/burst",
                "/profiles/sensor/commands/1",
                "/profiles/sensor/services/1",
                "/profiles/sensor/conditions/schedule/zone",
                "/profiles/sensor/conditions/schedule/windows/0/to",
                "/profiles/sensor/conditions/schedule/windows/0/days/1",
                "/profiles/sensor/conditions/schedule/windows/1/from",
                "/profiles/sensor/conditions/schedule/windows/1/days",
                "/profiles/sensor/conditions/minFirmware",
                "/profiles/sensor/conditions/minTier",
                "/profiles/sensor/session/maxLifetime",
                "/profiles/sensor/maxKeyAge",
                "/profiles/bad~1name",
                "/roles/auditor/operations/1",
                "/roles/auditor/operations/2",
                "/roles/auditor/operations/4",
                "/roles/much-too-long-role-name",
                "/roles");
        assertThat(errors.get(4).message()).isEqualTo(
                "unknown time zone 'Europe/Berln'; use a region such as 'Europe/Berlin' or 'UTC'");
        assertThat(errors.get(5).message()).contains("from and to are both 22:00");
        assertThat(errors.get(9).message()).contains("'1.2.x'");
        assertThat(errors.get(18).message()).contains("policy.apply");
    }

    @Test
    void a_valid_policy_compiles_with_its_version_and_source() throws PolicyException {
        PolicySet set = withProfile(sending(new SendRule("fw/status", List.of("POST", "PUT"), List.of(), 0, RATE,
                RuleCounters.MAX_DAILY_VOLUME)));

        CompiledPolicy policy = PolicyCompiler.compile(set);

        assertThat(policy.version()).isEqualTo(1);
        assertThat(policy.source()).isEqualTo(set);
        assertThat(policy.profile("sensor")).contains(set.profiles().get("sensor"));
        assertThat(policy.profile("actuator")).isEmpty();
    }
}
