package dev.vigil.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds policies for tests: {@code GivenPolicy.with("sensor", profile().send(rule("t"))).engine()}. */
final class GivenPolicy {

    static final OperatorRole ADMIN = new OperatorRole(List.of("*"));

    private final Map<String, DeviceProfile> profiles = new LinkedHashMap<>();
    private final Map<String, OperatorRole> roles = new LinkedHashMap<>(Map.of("admin", ADMIN));
    private long version = 1;

    static GivenPolicy with(String name, Profile profile) {
        return new GivenPolicy().and(name, profile);
    }

    static GivenPolicy withRoles(Map<String, OperatorRole> roles) {
        GivenPolicy given = new GivenPolicy();
        given.roles.clear();
        given.roles.putAll(roles);
        return given;
    }

    GivenPolicy and(String name, Profile profile) {
        profiles.put(name, profile.build());
        return this;
    }

    GivenPolicy version(long version) {
        this.version = version;
        return this;
    }

    PolicySet set() {
        return new PolicySet(version, profiles, roles);
    }

    CompiledPolicy compiled() {
        try {
            return PolicyCompiler.compile(set());
        } catch (PolicyException e) {
            throw new AssertionError(e.errors().toString(), e);
        }
    }

    PolicyEngine engine() {
        return new PolicyEngine(compiled(), 1000);
    }

    static Profile profile() {
        return new Profile();
    }

    static Rule rule(String resource) {
        return new Rule(resource);
    }

    static ScheduleWindow window(String days, String from, String to) {
        return new ScheduleWindow(List.of(days.split(",")), from, to);
    }

    static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    /** A POST of {@code size} bytes of SenML CBOR by a trusted device on firmware 1.0.0. */
    static RequestFacts post(long now, int size) {
        return new RequestFacts(now, Method.POST, 112, size, TrustTier.TRUSTED, FirmwareVersion.parse("1.0.0"));
    }

    /** A profile under construction. */
    static final class Profile {
        private final List<SendRule> send = new ArrayList<>();
        private List<String> commands = List.of();
        private List<String> services = List.of();
        private Schedule schedule;
        private String minFirmware;
        private String minTier;
        private Duration sessionMaxLifetime;

        Profile send(Rule rule) {
            send.add(rule.build());
            return this;
        }

        Profile commands(String... names) {
            commands = List.of(names);
            return this;
        }

        Profile services(String... names) {
            services = List.of(names);
            return this;
        }

        Profile schedule(String zone, ScheduleWindow... windows) {
            schedule = new Schedule(zone, List.of(windows));
            return this;
        }

        Profile minFirmware(String version) {
            minFirmware = version;
            return this;
        }

        Profile minTier(String tier) {
            minTier = tier;
            return this;
        }

        Profile sessionMaxLifetime(Duration lifetime) {
            sessionMaxLifetime = lifetime;
            return this;
        }

        DeviceProfile build() {
            return new DeviceProfile(send, commands, services, new Conditions(schedule, minFirmware, minTier),
                    sessionMaxLifetime, false, null);
        }
    }

    /** A send rule under construction: POST, SenML JSON or CBOR, 1024 bytes, 1/s burst 1000, no volume limit. */
    static final class Rule {
        private final String resource;
        private List<String> methods = List.of("POST");
        private List<Integer> formats = List.of(110, 112);
        private int maxPayload = 1024;
        private Rate rate = new Rate(1, 1000);
        private long dailyVolume;

        private Rule(String resource) {
            this.resource = resource;
        }

        Rule methods(String... names) {
            methods = List.of(names);
            return this;
        }

        Rule formats(Integer... numbers) {
            formats = List.of(numbers);
            return this;
        }

        Rule maxPayload(int bytes) {
            maxPayload = bytes;
            return this;
        }

        Rule rate(double perSecond, int burst) {
            rate = new Rate(perSecond, burst);
            return this;
        }

        Rule dailyVolume(long bytes) {
            dailyVolume = bytes;
            return this;
        }

        SendRule build() {
            return new SendRule(resource, methods, formats, maxPayload, rate, dailyVolume);
        }
    }
}
