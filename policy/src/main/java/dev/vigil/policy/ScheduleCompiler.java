package dev.vigil.policy;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks a schedule ({@code .../conditions/schedule}) and compiles it into a {@link WeekSchedule}. */
final class ScheduleCompiler {

    private static final List<String> DAYS = List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");
    private static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-4]):[0-5][0-9]");

    private ScheduleCompiler() {
    }

    /** Compiles {@code schedule}; profiles naming the same zone share one {@link ZoneClock} from {@code clocks}. */
    static WeekSchedule compile(Schedule schedule, String path, Problems problems, Map<String, ZoneClock> clocks) {
        ZoneClock clock = ZoneClock.UTC;
        try {
            ZoneId zone = ZoneId.of(schedule.zone());
            clock = clocks.computeIfAbsent(zone.getId(), id -> new ZoneClock(zone));
        } catch (DateTimeException e) {
            problems.add(Problems.at(path, "zone"), "unknown time zone '" + schedule.zone()
                    + "'; use a region such as 'Europe/Berlin' or 'UTC'");
        }
        WeekSchedule week = new WeekSchedule(clock);
        String windowsPath = Problems.at(path, "windows");
        if (schedule.windows().isEmpty()) {
            problems.add(windowsPath, "windows must list at least one window; leave out the schedule to allow any time");
        }
        for (int i = 0; i < schedule.windows().size(); i++) {
            window(schedule.windows().get(i), Problems.at(windowsPath, i), problems, week);
        }
        return week;
    }

    private static void window(ScheduleWindow window, String path, Problems problems, WeekSchedule week) {
        int from = minute(window.from(), false, Problems.at(path, "from"), problems);
        int to = minute(window.to(), true, Problems.at(path, "to"), problems);
        if (from >= 0 && from == to) {
            problems.add(Problems.at(path, "to"), "from and to are both " + window.to()
                    + ": a window must not be empty (00:00 to 24:00 is all day)");
        }
        String daysPath = Problems.at(path, "days");
        if (window.days().isEmpty()) {
            problems.add(daysPath, "days must name at least one day");
        }
        for (int j = 0; j < window.days().size(); j++) {
            int day = DAYS.indexOf(window.days().get(j));
            if (day < 0) {
                problems.add(Problems.at(daysPath, j), "unknown day '" + window.days().get(j)
                        + "'; days are MON, TUE, WED, THU, FRI, SAT and SUN");
            } else if (from >= 0 && to >= 0 && from != to) {
                week.open(day, from, to);
            }
        }
    }

    /** Minutes since midnight, or -1 after reporting why {@code text} is not a time. */
    private static int minute(String text, boolean endOfDay, String path, Problems problems) {
        int minute = TIME.matcher(text).matches()
                ? Integer.parseInt(text.substring(0, 2)) * 60 + Integer.parseInt(text.substring(3)) : -1;
        int last = endOfDay ? WeekSchedule.MINUTES_PER_DAY : WeekSchedule.MINUTES_PER_DAY - 1;
        if (minute < 0 || minute > last) {
            problems.add(path, "'" + text + "' is not a time HH:MM from 00:00 to " + (endOfDay ? "24:00" : "23:59"));
            return -1;
        }
        return minute;
    }
}
