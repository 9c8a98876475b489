package dev.vigil.policy;

import static dev.vigil.policy.GivenPolicy.post;
import static dev.vigil.policy.GivenPolicy.profile;
import static dev.vigil.policy.GivenPolicy.rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateLimitTest {

    private static final long T0 = GivenPolicy.at("2026-03-02T10:00:00Z");

    private static PolicyEngine engine(double perSecond, int burst) {
        return GivenPolicy.with("sensor", profile().send(rule("t").rate(perSecond, burst)).send(rule("u"))).engine();
    }

    @Test
    void burst_is_allowed_at_once_then_the_bucket_refills_at_the_rate() {
        PolicyEngine engine = engine(1, 3);
        Subject sensor = engine.device(1, "sensor");

        for (int i = 0; i < 3; i++) {
            assertThat(engine.decide(sensor, Action.SEND, "t", post(T0, 10))).isEqualTo(Decision.ALLOW);
        }
        Decision fourth = engine.decide(sensor, Action.SEND, "t", post(T0, 10));
        assertThat(fourth.rateLimited()).isTrue();
        assertThat(fourth.reason()).contains(DenyReason.RATE_LIMITED);
        assertThat(fourth.retryAfterSeconds()).isEqualTo(1);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(T0 + 999, 10)).rateLimited()).isTrue();
        assertThat(engine.decide(sensor, Action.SEND, "t", post(T0 + 1000, 10))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(T0 + 1000, 10)).rateLimited()).isTrue();
        assertThat(sensor.rateLimited()).isEqualTo(3);
        assertThat(sensor.denials()).isZero();
    }

    @ParameterizedTest(name = "{0}/s burst {1}, asked again after {2} ms: retry after {3} s")
    @CsvSource({"1, 1, 0, 1", "0.1, 1, 0, 10", "0.4, 1, 0, 3", "0.4, 1, 1, 3", "0.4, 1, 1500, 1", "1000, 1, 0, 1"})
    void retry_after_is_rounded_up_to_whole_seconds(double perSecond, int burst, long after, int seconds) {
        PolicyEngine engine = engine(perSecond, burst);
        Subject sensor = engine.device(1, "sensor");
        engine.decide(sensor, Action.SEND, "t", post(T0, 10));

        Decision decision = engine.decide(sensor, Action.SEND, "t", post(T0 + after, 10));

        assertThat(decision).isEqualTo(Decision.retryAfter(seconds));
    }

    @Test
    void denied_requests_take_no_token_and_each_rule_has_its_own_bucket() {
        PolicyEngine engine = engine(1, 1);
        Subject sensor = engine.device(1, "sensor");

        assertThat(engine.decide(sensor, Action.SEND, "t", post(T0, 5000)).reason()).contains(DenyReason.PAYLOAD_TOO_LARGE);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(T0, 10))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "u", post(T0, 10))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(T0, 10)).rateLimited()).isTrue();
    }

    @Test
    void subjects_do_not_share_buckets() {
        PolicyEngine engine = engine(1, 1);

        assertThat(engine.decide(engine.device(1, "sensor"), Action.SEND, "t", post(T0, 10))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(engine.device(2, "sensor"), Action.SEND, "t", post(T0, 10))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(engine.device(1, "sensor"), Action.SEND, "t", post(T0, 10)).rateLimited()).isTrue();
    }

    @Test
    void concurrent_requests_of_one_device_get_exactly_the_burst() throws Exception {
        PolicyEngine engine = engine(1, 1000);
        Subject sensor = engine.device(1, "sensor");
        AtomicInteger allowed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] workers = new Future<?>[4];
            for (int w = 0; w < workers.length; w++) {
                workers[w] = pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        if (engine.decide(sensor, Action.SEND, "t", post(T0, 10)).allowed()) {
                            allowed.incrementAndGet();
                        }
                    }
                });
            }
            for (Future<?> worker : workers) {
                worker.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(allowed.get()).isEqualTo(1000);
        assertThat(sensor.rateLimited()).isEqualTo(7000);
    }
}
