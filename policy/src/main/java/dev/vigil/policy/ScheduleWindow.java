package dev.vigil.policy;

import java.util.List;
import java.util.Objects;

/**
 * A daily time range on some days of the week, in the schedule's local time. {@code from} is
 * included, {@code to} is not. A window whose {@code to} is earlier than {@code from} crosses
 * midnight: the days named are the days it starts, so {@code MON 22:00-06:00} ends Tuesday 06:00.
 * Local times skipped by a daylight-saving change never match; repeated ones match twice.
 *
 * @param days {@code "MON"} to {@code "SUN"}
 * @param from {@code "HH:MM"}, 00:00-23:59
 * @param to {@code "HH:MM"}, 00:00-24:00, not equal to {@code from}
 */
public record ScheduleWindow(List<String> days, String from, String to) {

    public ScheduleWindow {
        days = List.copyOf(days);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }
}
