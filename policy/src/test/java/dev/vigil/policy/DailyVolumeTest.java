package dev.vigil.policy;

import static dev.vigil.policy.GivenPolicy.at;
import static dev.vigil.policy.GivenPolicy.post;
import static dev.vigil.policy.GivenPolicy.profile;
import static dev.vigil.policy.GivenPolicy.rule;
import static dev.vigil.policy.GivenPolicy.window;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DailyVolumeTest {

    private static final Decision EXCEEDED = Decision.deny(DenyReason.DAILY_VOLUME_EXCEEDED);

    @Test
    void allowance_counts_allowed_bytes_up_to_the_limit_exactly() {
        PolicyEngine engine = GivenPolicy.with("sensor", profile().send(rule("t").dailyVolume(100))).engine();
        Subject sensor = engine.device(1, "sensor");
        long now = at("2026-03-02T10:00:00Z");

        assertThat(engine.decide(sensor, Action.SEND, "t", post(now, 60))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(now, 41))).isEqualTo(EXCEEDED);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(now, 2000))).isEqualTo(Decision.deny(DenyReason.PAYLOAD_TOO_LARGE));
        assertThat(engine.decide(sensor, Action.SEND, "t", post(now, 40))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(now, 1))).isEqualTo(EXCEEDED);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(now, 0))).isEqualTo(Decision.ALLOW);
        assertThat(sensor.denials()).isEqualTo(3);
    }

    @Test
    void rate_limited_requests_are_not_counted() {
        PolicyEngine engine = GivenPolicy.with("sensor", profile().send(rule("t").rate(1, 1).dailyVolume(100))).engine();
        Subject sensor = engine.device(1, "sensor");
        long now = at("2026-03-02T10:00:00Z");

        assertThat(engine.decide(sensor, Action.SEND, "t", post(now, 50))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(now, 50)).rateLimited()).isTrue();
        assertThat(engine.decide(sensor, Action.SEND, "t", post(now + 1000, 50))).isEqualTo(Decision.ALLOW);
    }

    // Berlin midnight is 23:00Z in winter (CET) and 22:00Z in summer (CEST).
    @ParameterizedTest(name = "{0}: full at {1}, fresh at {2}")
    @CsvSource({
        "UTC,           2026-03-02T23:59:59.999Z, 2026-03-03T00:00:00Z",
        "Europe/Berlin, 2026-03-02T22:59:59.999Z, 2026-03-02T23:00:00Z",
        "Europe/Berlin, 2026-07-01T21:59:59.999Z, 2026-07-01T22:00:00Z",
        "Asia/Kolkata,  2026-03-02T18:29:59.999Z, 2026-03-02T18:30:00Z",
    })
    void allowance_resets_at_midnight_in_the_schedule_zone(String zone, String lastMoment, String midnight) {
        PolicyEngine engine = GivenPolicy.with("sensor", profile().send(rule("t").dailyVolume(100))
                .schedule(zone, window("MON,TUE,WED,THU,FRI,SAT,SUN", "00:00", "24:00"))).engine();
        Subject sensor = engine.device(1, "sensor");

        assertThat(engine.decide(sensor, Action.SEND, "t", post(at(lastMoment) - 3_600_000, 100))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(at(lastMoment), 1))).isEqualTo(EXCEEDED);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(at(midnight), 100))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(at(midnight), 1))).isEqualTo(EXCEEDED);
    }
}
