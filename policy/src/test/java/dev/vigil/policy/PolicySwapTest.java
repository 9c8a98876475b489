package dev.vigil.policy;

import static dev.vigil.policy.GivenPolicy.post;
import static dev.vigil.policy.GivenPolicy.profile;
import static dev.vigil.policy.GivenPolicy.rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PolicySwapTest {

    private static final long NOW = GivenPolicy.at("2026-03-02T10:00:00Z");

    @Test
    void a_subject_keeps_working_after_apply_and_keeps_its_bucket_for_rules_that_remain() {
        PolicyEngine engine = GivenPolicy.with("sensor", profile().send(rule("t").rate(1, 2))).engine();
        Subject sensor = engine.device(1, "sensor");
        engine.decide(sensor, Action.SEND, "t", post(NOW, 10));
        engine.decide(sensor, Action.SEND, "t", post(NOW, 10));

        boolean applied = engine.apply(GivenPolicy.with("sensor", profile().send(rule("t").rate(1, 3))
                .send(rule("u").rate(1, 1))).version(2).compiled());

        assertThat(applied).isTrue();
        assertThat(engine.version()).isEqualTo(2);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(NOW, 10))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(NOW, 10)).rateLimited()).isTrue();
        assertThat(engine.decide(sensor, Action.SEND, "u", post(NOW, 10))).isEqualTo(Decision.ALLOW);
    }

    @Test
    void counters_follow_their_resource_when_rules_are_reordered_added_and_removed() {
        PolicyEngine engine = GivenPolicy.with("sensor", profile().send(rule("t").rate(1, 1))
                .send(rule("u").rate(1, 1))).engine();
        Subject sensor = engine.device(1, "sensor");
        engine.decide(sensor, Action.SEND, "t", post(NOW, 10));
        engine.decide(sensor, Action.SEND, "u", post(NOW, 10));

        engine.apply(GivenPolicy.with("sensor", profile().send(rule("w").rate(1, 1)).send(rule("v").rate(1, 1))
                .send(rule("u").rate(1, 1)).send(rule("t").rate(1, 1))).version(2).compiled());

        assertThat(engine.decide(sensor, Action.SEND, "t", post(NOW, 10)).rateLimited()).isTrue();
        assertThat(engine.decide(sensor, Action.SEND, "u", post(NOW, 10)).rateLimited()).isTrue();
        assertThat(engine.decide(sensor, Action.SEND, "v", post(NOW, 10))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "w", post(NOW, 10))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "w", post(NOW, 10)).rateLimited()).isTrue();

        engine.apply(GivenPolicy.with("sensor", profile().send(rule("x").rate(1, 1)).send(rule("t").rate(1, 1)))
                .version(3).compiled());

        assertThat(engine.decide(sensor, Action.SEND, "t", post(NOW, 10)).rateLimited()).isTrue();
        assertThat(engine.decide(sensor, Action.SEND, "x", post(NOW, 10))).isEqualTo(Decision.ALLOW);
        assertThat(engine.decide(sensor, Action.SEND, "w", post(NOW, 10))).isEqualTo(Decision.deny(DenyReason.RESOURCE_NOT_ALLOWED));
    }

    @Test
    void a_profile_removed_by_apply_denies_its_subjects_with_unknown_profile() {
        PolicyEngine engine = GivenPolicy.with("sensor", profile().send(rule("t"))).engine();
        Subject sensor = engine.device(1, "sensor");
        assertThat(engine.decide(sensor, Action.SEND, "t", post(NOW, 10))).isEqualTo(Decision.ALLOW);

        engine.apply(GivenPolicy.with("other", profile().send(rule("t"))).version(2).compiled());

        assertThat(engine.decide(sensor, Action.SEND, "t", post(NOW, 10))).isEqualTo(Decision.deny(DenyReason.UNKNOWN_PROFILE));
        assertThat(engine.profile("sensor")).isEmpty();
        assertThat(engine.sessionMaxLifetime("sensor")).isEmpty();
        assertThat(engine.sessionMaxLifetime("other")).contains(Duration.ofHours(24));
    }

    @Test
    void an_older_or_equal_version_is_not_applied() {
        PolicyEngine engine = GivenPolicy.with("sensor", profile().send(rule("t"))).version(5).engine();

        assertThat(engine.apply(GivenPolicy.with("other", profile()).version(5).compiled())).isFalse();
        assertThat(engine.apply(GivenPolicy.with("other", profile()).version(4).compiled())).isFalse();
        assertThat(engine.version()).isEqualTo(5);
        assertThat(engine.profile("sensor")).isPresent();
    }

    @Test
    void decisions_under_concurrent_applies_see_one_policy_or_the_other() throws Exception {
        PolicyEngine engine = GivenPolicy.with("sensor", profile().send(rule("t").rate(1_000_000, 1_000_000))).engine();
        Subject sensor = engine.device(1, "sensor");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        CountDownLatch go = new CountDownLatch(1);
        try {
            Future<?> deciders = pool.submit(() -> {
                go.await();
                for (int i = 0; i < 200_000; i++) {
                    Decision decision = engine.decide(sensor, Action.SEND, "t", post(NOW + i, 10));
                    assertThat(decision).isIn(Decision.ALLOW, Decision.deny(DenyReason.RESOURCE_NOT_ALLOWED));
                }
                return null;
            });
            Future<?> appliers = pool.submit(() -> {
                go.await();
                for (int v = 2; v < 2000; v++) {
                    engine.apply(GivenPolicy.with("sensor", profile().send(rule(v % 2 == 0 ? "x" : "t")
                            .rate(1_000_000, 1_000_000))).version(v).compiled());
                }
                return null;
            });
            go.countDown();
            deciders.get(30, TimeUnit.SECONDS);
            appliers.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(engine.version()).isEqualTo(1999);
        assertThat(engine.decide(sensor, Action.SEND, "t", post(NOW + 300_000, 10))).isEqualTo(Decision.ALLOW);
    }
}
