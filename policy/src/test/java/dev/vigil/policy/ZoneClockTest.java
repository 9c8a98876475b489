package dev.vigil.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZoneClockTest {

    @ParameterizedTest
    @ValueSource(strings = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"})
    void cached_offset_matches_the_zone_rules_whichever_way_the_clock_moves(String zoneId) {
        ZoneId zone = ZoneId.of(zoneId);
        ZoneClock clock = new ZoneClock(zone);
        List<Long> instants = new ArrayList<>();
        for (String transition : List.of("2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z", "2026-03-08T07:00:00Z",
                "2026-11-01T06:00:00Z", "2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z")) {
            long at = Instant.parse(transition).toEpochMilli();
            for (long delta : new long[] {-3_600_001, -1001, -1, 0, 1, 999, 1000, 3_600_000}) {
                instants.add(at + delta);
            }
        }
        Collections.shuffle(instants, new Random(7));

        for (long now : instants) {
            long expected = now + zone.getRules().getOffset(Instant.ofEpochMilli(now)).getTotalSeconds() * 1000L;
            assertThat(clock.localMillis(now)).as("%s at %s", zoneId, Instant.ofEpochMilli(now)).isEqualTo(expected);
        }
    }
}
