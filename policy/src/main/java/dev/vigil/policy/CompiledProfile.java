package dev.vigil.policy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A device profile ready for decisions: rules by resource, commands and services as hash sets, the
 * schedule as a minute bitmap, the firmware minimum as a packed number. Immutable and shared; each
 * subject's counters live in the {@link Subject}, at the slots its rules' indices name.
 */
final class CompiledProfile {

    /** Grants nothing; the profile of operator subjects. */
    static final CompiledProfile NONE = new CompiledProfile(null, List.of(), Set.of(), Set.of(), null,
            ZoneClock.UTC, TrustTier.TRUSTED, FirmwareVersion.UNKNOWN);

    private static final Decision RESOURCE_NOT_ALLOWED = Decision.deny(DenyReason.RESOURCE_NOT_ALLOWED);
    private static final Decision COMMAND_NOT_ALLOWED = Decision.deny(DenyReason.COMMAND_NOT_ALLOWED);
    private static final Decision SERVICE_NOT_ALLOWED = Decision.deny(DenyReason.SERVICE_NOT_ALLOWED);
    private static final Decision TRUST_TIER_TOO_LOW = Decision.deny(DenyReason.TRUST_TIER_TOO_LOW);
    private static final Decision FIRMWARE_UNKNOWN = Decision.deny(DenyReason.FIRMWARE_UNKNOWN);
    private static final Decision FIRMWARE_TOO_OLD = Decision.deny(DenyReason.FIRMWARE_TOO_OLD);
    private static final Decision OUTSIDE_SCHEDULE = Decision.deny(DenyReason.OUTSIDE_SCHEDULE);

    final DeviceProfile source;
    private final List<CompiledRule> ruleList;
    private final Map<String, CompiledRule> rules;
    private final Set<String> commands;
    private final Set<String> services;
    private final WeekSchedule schedule;
    private final ZoneClock clock;
    private final TrustTier sendTier;
    private final long minFirmware;

    CompiledProfile(DeviceProfile source, List<CompiledRule> rules, Set<String> commands, Set<String> services,
            WeekSchedule schedule, ZoneClock clock, TrustTier minTier, long minFirmware) {
        this.source = source;
        this.ruleList = List.copyOf(rules);
        this.rules = ruleList.stream().collect(Collectors.toUnmodifiableMap(rule -> rule.resource, rule -> rule));
        this.commands = Set.copyOf(commands);
        this.services = Set.copyOf(services);
        this.schedule = schedule;
        this.clock = clock;
        this.sendTier = minTier.atLeast(TrustTier.LIMITED) ? minTier : TrustTier.LIMITED;
        this.minFirmware = minFirmware;
    }

    Decision decide(Action action, String resource, RequestFacts facts, Subject counters) {
        switch (action) {
            case SEND:
                CompiledRule rule = rules.get(resource);
                if (rule == null) {
                    return RESOURCE_NOT_ALLOWED;
                }
                Decision checked = rule.check(facts);
                if (checked == Decision.ALLOW) {
                    checked = conditions(facts, sendTier);
                }
                return checked == Decision.ALLOW ? rule.admit(counters, facts, clock) : checked;
            case RECEIVE_COMMAND:
                if (Action.ANY_COMMAND.equals(resource)) { // polling or observing for commands at all
                    return commands.isEmpty() ? COMMAND_NOT_ALLOWED : Decision.ALLOW;
                }
                return commands.contains(resource) ? conditions(facts, TrustTier.TRUSTED) : COMMAND_NOT_ALLOWED;
            case USE_SERVICE:
                return services.contains(resource) ? Decision.ALLOW : SERVICE_NOT_ALLOWED;
            default:
                throw new IllegalArgumentException("not a device action: " + action);
        }
    }

    /** The static part of {@link #decide}: no rate, volume, schedule or firmware. */
    boolean permits(Action action, String resource, TrustTier tier) {
        switch (action) {
            case SEND:
                return rules.containsKey(resource) && tier.atLeast(sendTier);
            case RECEIVE_COMMAND:
                return Action.ANY_COMMAND.equals(resource) ? !commands.isEmpty()
                        : commands.contains(resource) && tier.atLeast(TrustTier.TRUSTED);
            case USE_SERVICE:
                return services.contains(resource);
            default:
                return false;
        }
    }

    private Decision conditions(RequestFacts facts, TrustTier minTier) {
        if (!facts.tier().atLeast(minTier)) {
            return TRUST_TIER_TOO_LOW;
        }
        if (minFirmware != FirmwareVersion.UNKNOWN && facts.firmware() < minFirmware) {
            return facts.firmware() == FirmwareVersion.UNKNOWN ? FIRMWARE_UNKNOWN : FIRMWARE_TOO_OLD;
        }
        return schedule == null || schedule.isOpen(facts.nowMillis()) ? Decision.ALLOW : OUTSIDE_SCHEDULE;
    }

    /** Counter slots a subject of this profile needs. */
    int slots() {
        int slots = 0;
        for (CompiledRule rule : ruleList) {
            slots = Math.max(slots, 2 * rule.index + 2);
        }
        return slots;
    }

    /**
     * This profile with each rule's counters where {@code previous} kept the same resource's, and new
     * resources in slots {@code previous} did not use, so subjects carry their state across an apply
     * without copying it.
     */
    CompiledProfile alignedWith(CompiledProfile previous) {
        Set<Integer> taken = new HashSet<>();
        previous.ruleList.forEach(rule -> taken.add(rule.index));
        List<CompiledRule> aligned = new ArrayList<>();
        List<CompiledRule> added = new ArrayList<>();
        for (CompiledRule rule : ruleList) {
            CompiledRule old = previous.rules.get(rule.resource);
            if (old != null) {
                aligned.add(rule.at(old.index));
            } else {
                added.add(rule);
            }
        }
        int free = 0;
        for (CompiledRule rule : added) {
            while (taken.contains(free)) {
                free++;
            }
            aligned.add(rule.at(free++));
        }
        return new CompiledProfile(source, aligned, commands, services, schedule, clock, sendTier, minFirmware);
    }

    boolean atRest(Subject counters, long nowMillis) {
        for (CompiledRule rule : ruleList) {
            if (!rule.atRest(counters, nowMillis, clock)) {
                return false;
            }
        }
        return true;
    }
}
