package dev.vigil.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DecisionTest {

    @Test
    void allow_and_denials_are_shared_values() {
        assertThat(Decision.ALLOW.allowed()).isTrue();
        assertThat(Decision.ALLOW.reason()).isEmpty();
        assertThat(Decision.deny(DenyReason.RESOURCE_NOT_ALLOWED)).isSameAs(Decision.deny(DenyReason.RESOURCE_NOT_ALLOWED));
        assertThat(Decision.deny(DenyReason.RESOURCE_NOT_ALLOWED).rateLimited()).isFalse();
        assertThat(Decision.deny(DenyReason.OUTSIDE_SCHEDULE)).hasToString("DENY(OUTSIDE_SCHEDULE)");
    }

    @Test
    void rate_limits_wait_at_least_a_second_and_are_shared_up_to_ten_minutes() {
        assertThat(Decision.retryAfter(0).retryAfterSeconds()).isEqualTo(1);
        assertThat(Decision.retryAfter(600)).isSameAs(Decision.retryAfter(600));
        assertThat(Decision.retryAfter(86_400)).isEqualTo(Decision.retryAfter(86_400));
        assertThat(Decision.retryAfter(86_400).retryAfterSeconds()).isEqualTo(86_400);
        assertThat(Decision.retryAfter(3)).hasToString("RATE_LIMITED(retry after 3 s)");
        assertThat(Decision.deny(DenyReason.RATE_LIMITED)).isEqualTo(Decision.retryAfter(1));
    }
}
