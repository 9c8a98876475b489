package dev.vigil.device.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

    /** A generator that always draws the largest allowed value and records the bounds it was given. */
    static final class Highest implements RandomGenerator {
        final List<Long> bounds = new ArrayList<>();

        @Override
        public long nextLong() {
            throw new AssertionError("Backoff must draw from a bound");
        }

        @Override
        public long nextLong(long bound) {
            bounds.add(bound);
            return bound - 1;
        }
    }

    static List<Long> waits(Backoff backoff, int count) {
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            waits.add(backoff.nextMillis());
        }
        return waits;
    }

    @Test
    void the_ceiling_doubles_from_the_base_until_the_maximum_and_stays_there() {
        Highest random = new Highest();
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), random);

        waits(backoff, 7);

        assertThat(random.bounds).containsExactly(1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L, 10_000L);
    }

    @Test
    void a_wait_is_at_most_one_below_its_ceiling_never_the_ceiling() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), new Highest());

        assertThat(waits(backoff, 4)).containsExactly(999L, 1999L, 3999L, 7999L);
    }

    @Test
    void with_a_real_generator_every_wait_is_within_full_jitter_bounds_and_they_spread() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), new SplittableRandom(1));
        List<Long> capped = new ArrayList<>();
        for (int attempt = 0; attempt < 2000; attempt++) {
            long ceiling = Math.min(300_000L, 1000L << Math.min(attempt, 20));
            long wait = backoff.nextMillis();
            assertThat(wait).as("attempt %d", attempt).isBetween(0L, ceiling - 1);
            if (attempt >= 9) {
                capped.add(wait);
            }
        }
        assertThat(capped.stream().distinct().count()).as("jitter, not a fixed wait").isGreaterThan(1000);
        assertThat(capped).anyMatch(w -> w < 30_000).anyMatch(w -> w > 270_000);
    }

    @Test
    void hours_of_failures_never_overflow_past_the_maximum() {
        Highest random = new Highest();
        Backoff backoff = new Backoff(Duration.ofMinutes(1), Duration.ofHours(1), random);

        waits(backoff, 100);

        assertThat(random.bounds).allSatisfy(b -> assertThat(b).isBetween(1L, 3_600_000L));
        assertThat(random.bounds.get(99)).isEqualTo(3_600_000L);
    }

    @Test
    void a_working_link_starts_again_from_the_base() {
        Highest random = new Highest();
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), random);
        waits(backoff, 5);

        backoff.reset();
        backoff.nextMillis();

        assertThat(random.bounds.get(5)).isEqualTo(1000L);
        assertThat(backoff.attempts()).isEqualTo(1);
    }

    @Test
    void a_maximum_below_the_base_is_raised_to_the_base() {
        Highest random = new Highest();
        Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofMillis(500), random);

        waits(backoff, 3);

        assertThat(random.bounds).containsExactly(2000L, 2000L, 2000L);
    }
}
