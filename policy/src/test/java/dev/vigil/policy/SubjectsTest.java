package dev.vigil.policy;

import static dev.vigil.policy.GivenPolicy.post;
import static dev.vigil.policy.GivenPolicy.profile;
import static dev.vigil.policy.GivenPolicy.rule;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SubjectsTest {

    private static final long NOW = GivenPolicy.at("2026-03-02T10:00:00Z");

    private final CompiledPolicy policy = GivenPolicy.with("sensor", profile().send(rule("t").rate(1, 1)))
            .and("gateway", profile().send(rule("t").rate(10, 10))).compiled();

    @Test
    void the_same_principal_gets_the_same_subject_until_its_profile_changes() {
        PolicyEngine engine = new PolicyEngine(policy, 100);
        Subject first = engine.device(1, "sensor");

        assertThat(engine.device(1, "sensor")).isSameAs(first);
        assertThat(engine.operator(1, "admin")).isNotSameAs(first);
        Subject moved = engine.device(1, "gateway");
        assertThat(moved).isNotSameAs(first);
        assertThat(moved.profileOrRole()).isEqualTo("gateway");
        assertThat(engine.device(1, "gateway")).isSameAs(moved);
    }

    @Test
    void a_device_that_comes_back_keeps_its_empty_bucket_until_forgotten() {
        PolicyEngine engine = new PolicyEngine(policy, 100);
        engine.decide(engine.device(1, "sensor"), Action.SEND, "t", post(NOW, 1));

        assertThat(engine.decide(engine.device(1, "sensor"), Action.SEND, "t", post(NOW, 1)).rateLimited()).isTrue();
        engine.forgetDevice(1);
        assertThat(engine.decide(engine.device(1, "sensor"), Action.SEND, "t", post(NOW, 1))).isEqualTo(Decision.ALLOW);
    }

    @Test
    void evict_idle_drops_only_subjects_whose_state_is_as_new() {
        PolicyEngine engine = new PolicyEngine(policy, 100);
        Subject busy = engine.device(1, "sensor");
        engine.device(2, "sensor");
        engine.operator(3, "admin");
        engine.decide(busy, Action.SEND, "t", post(NOW, 1));

        assertThat(engine.evictIdle(NOW)).isEqualTo(2);
        assertThat(engine.subjects()).isEqualTo(1);
        assertThat(engine.device(1, "sensor")).isSameAs(busy);
        assertThat(engine.evictIdle(NOW + 1000)).isEqualTo(1);
        assertThat(engine.subjects()).isZero();
    }

    @Test
    void beyond_capacity_subjects_are_handed_out_but_not_remembered() {
        PolicyEngine engine = new PolicyEngine(policy, 2);
        engine.device(1, "sensor");
        engine.device(2, "sensor");

        Subject third = engine.device(3, "sensor");

        assertThat(engine.subjects()).isEqualTo(2);
        assertThat(engine.decide(third, Action.SEND, "t", post(NOW, 1))).isEqualTo(Decision.ALLOW);
        assertThat(engine.device(3, "sensor")).isNotSameAs(third);
        assertThat(engine.device(2, "gateway").profileOrRole()).isEqualTo("gateway");
    }
}
