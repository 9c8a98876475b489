package dev.vigil.policy;

import static dev.vigil.policy.GivenPolicy.at;
import static dev.vigil.policy.GivenPolicy.profile;
import static dev.vigil.policy.GivenPolicy.rule;
import static dev.vigil.policy.GivenPolicy.window;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScheduleDecisionTest {

    private static Decision sendAt(String zone, ScheduleWindow window, String instant) {
        PolicyEngine engine = GivenPolicy.with("night", profile().send(rule("t")).schedule(zone, window)).engine();
        return engine.decide(engine.device(1, "night"), Action.SEND, "t", GivenPolicy.post(at(instant), 10));
    }

    // 2026-03-02 is a Monday.
    @ParameterizedTest(name = "{0} {1}-{2} at {3}: {4}")
    @CsvSource({
        "MON,         22:00, 06:00, 2026-03-02T21:59:00Z, false",
        "MON,         22:00, 06:00, 2026-03-02T22:00:00Z, true",
        "MON,         22:00, 06:00, 2026-03-02T23:59:59Z, true",
        "MON,         22:00, 06:00, 2026-03-03T00:00:00Z, true",
        "MON,         22:00, 06:00, 2026-03-03T05:59:59Z, true",
        "MON,         22:00, 06:00, 2026-03-03T06:00:00Z, false",
        "MON,         22:00, 06:00, 2026-03-03T22:00:00Z, false",
        "MON,         22:00, 06:00, 2026-03-02T05:59:00Z, false",
        "SUN,         22:00, 06:00, 2026-03-02T05:59:00Z, true",
        "SUN,         22:00, 06:00, 2026-03-01T21:59:00Z, false",
        "'MON,TUE',   08:00, 17:00, 2026-03-03T16:59:00Z, true",
        "'MON,TUE',   08:00, 17:00, 2026-03-04T08:00:00Z, false",
        "SAT,         00:00, 24:00, 2026-03-07T23:59:59Z, true",
        "SAT,         00:00, 24:00, 2026-03-08T00:00:00Z, false",
    })
    void windows_crossing_midnight_belong_to_the_day_they_start(String days, String from, String to, String instant,
            boolean allowed) {
        Decision decision = sendAt("UTC", window(days, from, to), instant);

        assertThat(decision).isEqualTo(allowed ? Decision.ALLOW : Decision.deny(DenyReason.OUTSIDE_SCHEDULE));
    }

    // Europe/Berlin: 2026-03-29 02:00 CET jumps to 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST falls back to
    // 02:00 CET (01:00Z). Both are Sundays.
    @ParameterizedTest(name = "{0}-{1} at {2}: {3}")
    @CsvSource({
        "02:00, 03:00, 2026-03-29T00:59:59Z, false",
        "02:00, 03:00, 2026-03-29T01:00:00Z, false",
        "02:00, 03:00, 2026-03-29T01:30:00Z, false",
        "02:00, 03:00, 2026-10-24T23:59:59Z, false",
        "02:00, 03:00, 2026-10-25T00:00:00Z, true",
        "02:00, 03:00, 2026-10-25T00:59:59Z, true",
        "02:00, 03:00, 2026-10-25T01:00:00Z, true",
        "02:00, 03:00, 2026-10-25T01:59:59Z, true",
        "02:00, 03:00, 2026-10-25T02:00:00Z, false",
        "01:00, 04:00, 2026-03-28T23:59:59Z, false",
        "01:00, 04:00, 2026-03-29T00:00:00Z, true",
        "01:00, 04:00, 2026-03-29T01:00:00Z, true",
        "01:00, 04:00, 2026-03-29T01:59:59Z, true",
        "01:00, 04:00, 2026-03-29T02:00:00Z, false",
        "01:00, 04:00, 2026-10-24T22:59:59Z, false",
        "01:00, 04:00, 2026-10-24T23:00:00Z, true",
        "01:00, 04:00, 2026-10-25T02:59:59Z, true",
        "01:00, 04:00, 2026-10-25T03:00:00Z, false",
    })
    void windows_are_local_time_across_daylight_saving_changes(String from, String to, String instant,
            boolean allowed) {
        Decision decision = sendAt("Europe/Berlin", window("SUN", from, to), instant);

        assertThat(decision.allowed()).isEqualTo(allowed);
    }
}
