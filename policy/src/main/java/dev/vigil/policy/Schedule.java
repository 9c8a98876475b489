package dev.vigil.policy;

import java.util.List;
import java.util.Objects;

/**
 * Weekly windows in local time of one zone ({@code .../conditions/schedule}). The zone also sets when
 * daily volumes reset.
 *
 * @param zone a {@link java.time.ZoneId} such as {@code "Europe/Berlin"} or {@code "UTC"}
 * @param windows at least one; a request is in schedule if any window contains its local time
 */
public record Schedule(String zone, List<ScheduleWindow> windows) {

    public Schedule {
        Objects.requireNonNull(zone, "zone");
        windows = List.copyOf(windows);
    }
}
