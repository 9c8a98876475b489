package dev.vigil.provisioning.audit;

import dev.vigil.provisioning.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityEventsTest {

    private final MutableClock clock = new MutableClock();
    private final SecurityEvents events = new SecurityEvents(10_000, clock);

    @Test
    void a_flood_from_cycling_addresses_becomes_one_counted_event_and_cannot_flush_the_ring() {
        events.record("tombstoned-key-seen", "sensor-7", "a key of a decommissioned device tried to connect");
        for (int i = 0; i < 20_000; i++) {
            events.record("handshake-refused", "10.0." + (i / 250) + "." + (i % 250) + ":5684", "unknown key");
        }
        clock.advance(Duration.ofSeconds(11));

        List<SecurityEvents.Event> all = events.tail(1000);

        assertThat(all).hasSize(1 + SecurityEvents.PER_WINDOW + 1);
        assertThat(all.get(0).type()).isEqualTo("tombstoned-key-seen");
        SecurityEvents.Event summary = all.get(all.size() - 1);
        assertThat(summary.count()).isEqualTo(20_000 - SecurityEvents.PER_WINDOW);
        assertThat(summary.subject()).isEqualTo("(at least 1000 subjects)");
        assertThat(summary.detail()).startsWith("19990 more handshake-refused in 10 s, e.g. 10.0.0.10:5684, ");
        assertThat(events.count()).isEqualTo(20_001);
    }

    @Test
    void each_window_starts_afresh_and_quiet_types_are_not_held_back() {
        for (int i = 0; i < 12; i++) {
            events.record("policy-denial", "s1", "POST /x");
        }
        clock.advance(Duration.ofSeconds(10));
        events.record("policy-denial", "s1", "POST /y");
        events.record("rate-limited", "s2", "POST /t");
        assertThat(events.tail(100)).extracting(SecurityEvents.Event::count)
                .containsExactly(1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 2L, 1L, 1L);
    }

    @Test
    void peer_supplied_text_is_escaped_before_it_is_kept_or_logged() {
        events.record("policy-denial", "s1", "POST /x\nevent type=forged \u001b[2J");
        assertThat(events.tail(1).get(0).detail()).isEqualTo("POST /x\\nevent type=forged \\u001b[2J");
    }
}
