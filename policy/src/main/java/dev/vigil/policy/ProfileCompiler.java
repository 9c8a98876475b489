package dev.vigil.policy;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks and compiles one device profile ({@code /profiles/{name}}). */
final class ProfileCompiler {

    private static final Pattern COMMAND = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private ProfileCompiler() {
    }

    static CompiledProfile compile(DeviceProfile profile, String path, Problems problems, Map<String, ZoneClock> clocks) {
        List<CompiledRule> rules = RuleCompiler.compile(profile.send(), Problems.at(path, "send"), problems);
        Set<String> commands = new HashSet<>();
        for (int i = 0; i < profile.commands().size(); i++) {
            String command = profile.commands().get(i);
            if (!COMMAND.matcher(command).matches()) {
                problems.add(Problems.at(Problems.at(path, "commands"), i), "command '" + command
                        + "' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            commands.add(command);
        }
        Set<String> services = new HashSet<>();
        for (int i = 0; i < profile.services().size(); i++) {
            String service = profile.services().get(i);
            if (Service.ofId(service).isEmpty()) {
                problems.add(Problems.at(Problems.at(path, "services"), i), "unknown service '" + service
                        + "'; services are firmware, key-rotation and enroll");
            }
            services.add(service);
        }
        Conditions conditions = profile.conditions();
        String conditionsPath = Problems.at(path, "conditions");
        WeekSchedule schedule = conditions.schedule() == null ? null
                : ScheduleCompiler.compile(conditions.schedule(), Problems.at(conditionsPath, "schedule"), problems, clocks);
        long minFirmware = firmware(conditions.minFirmware(), Problems.at(conditionsPath, "minFirmware"), problems);
        TrustTier minTier = tier(conditions.minTier(), Problems.at(conditionsPath, "minTier"), problems);
        positive(profile.sessionMaxLifetime(), Problems.at(Problems.at(path, "session"), "maxLifetime"), problems);
        if (profile.childAuth() != null && ChildAuth.ofId(profile.childAuth()).isEmpty()) {
            problems.add(Problems.at(path, "childAuth"), "unknown child authentication '" + profile.childAuth()
                    + "'; it is relay, oscore or asserted");
        }
        if (profile.maxKeyAge() != null) {
            positive(profile.maxKeyAge(), Problems.at(path, "maxKeyAge"), problems);
        }
        return new CompiledProfile(profile, rules, commands, services, schedule,
                schedule == null ? ZoneClock.UTC : schedule.clock(), minTier, minFirmware);
    }

    private static TrustTier tier(String name, String path, Problems problems) {
        if (name == null) {
            return TrustTier.QUARANTINED;
        }
        try {
            return TrustTier.valueOf(name);
        } catch (IllegalArgumentException e) {
            problems.add(path, "unknown trust tier '" + name + "'; tiers are QUARANTINED, LIMITED and TRUSTED");
            return TrustTier.TRUSTED;
        }
    }

    private static long firmware(String version, String path, Problems problems) {
        if (version == null) {
            return FirmwareVersion.UNKNOWN;
        }
        try {
            return FirmwareVersion.parse(version);
        } catch (IllegalArgumentException e) {
            problems.add(path, e.getMessage());
            return FirmwareVersion.UNKNOWN;
        }
    }

    private static void positive(Duration duration, String path, Problems problems) {
        if (duration.isNegative() || duration.isZero()) {
            problems.add(path, "must be longer than zero: " + duration);
        }
    }
}
