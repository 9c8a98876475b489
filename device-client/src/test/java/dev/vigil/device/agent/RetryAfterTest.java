package dev.vigil.device.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private final SplittableRandom random = new SplittableRandom(7);

    @Test
    void waits_max_age_plus_at_most_a_fifth_and_spreads_a_fleet() {
        long shortest = Long.MAX_VALUE;
        long longest = 0;
        for (int i = 0; i < 1000; i++) {
            long wait = RetryAfter.millis(10L, 300_000, random);
            assertThat(wait).isBetween(10_000L, 12_000L);
            shortest = Math.min(shortest, wait);
            longest = Math.max(longest, wait);
        }
        assertThat(longest - shortest).as("jitter spreads the retries").isGreaterThan(1_000);
    }

    @Test
    void without_max_age_waits_its_default_of_60_s() {
        assertThat(RetryAfter.millis(null, 300_000, random)).isBetween(60_000L, 72_000L);
    }

    @Test
    void a_max_age_beyond_the_ceiling_waits_the_ceiling() {
        assertThat(RetryAfter.millis(4_294_967_295L, 300_000, random)).isBetween(300_000L, 360_000L);
    }
}
