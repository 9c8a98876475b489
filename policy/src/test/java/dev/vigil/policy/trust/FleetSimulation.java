package dev.vigil.policy.trust;

import dev.vigil.policy.Action;
import dev.vigil.policy.CompiledPolicy;
import dev.vigil.policy.Conditions;
import dev.vigil.policy.Decision;
import dev.vigil.policy.DeviceProfile;
import dev.vigil.policy.FirmwareVersion;
import dev.vigil.policy.Method;
import dev.vigil.policy.OperatorRole;
import dev.vigil.policy.PolicyCompiler;
import dev.vigil.policy.PolicyEngine;
import dev.vigil.policy.PolicyException;
import dev.vigil.policy.PolicySet;
import dev.vigil.policy.Rate;
import dev.vigil.policy.RequestFacts;
import dev.vigil.policy.SendRule;
import dev.vigil.policy.Subject;
import dev.vigil.policy.TrustTier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A fleet in simulated time driving the real {@link TrustEngine} (and the real {@link PolicyEngine} for
 * the decisions the engine is told of), deterministic for a seed. Healthy devices report periodically with
 * jitter (sensors every minute, meters every five, office devices every five on weekdays 06-08 to 17-19
 * UTC only), poll for firmware daily, reboot (new handshake from a new port, the old session silently
 * abandoned, the first reading at once), get NAT-rebound (same session, new address), go offline for
 * 0.5-12 h and flush what they queued on return (one request per reading, or packs of up to the payload
 * limit, backing off on 4.29), rotate keys, and re-handshake when the server ends a session after 24 h.
 * The server's clone probe is modelled: when a key completes a handshake from a new address while its
 * previous connection is established, the previous connection is pinged and answers after an RTT if, and
 * only if, a live peer holds it.
 *
 * <p>Victims (apart from the healthy devices) behave the same until one attack starts, at a random time
 * after the schedules have matured: see {@link Attack}.
 */
public final class FleetSimulation {

    /** What is done to a victim, and when its "attack start" is. */
    public enum Attack {
        /** The device sends ten times its rate (extra requests every period / 10) for an hour; start: the first extra request. */
        FLOOD,
        /** Its readings carry ten times its payload (up to the profile's limit); start: the first such reading. */
        EXFILTRATION,
        /** An office device sends 40 requests 5-15 s apart in the small hours of a weekday; start: the first. */
        OFF_SCHEDULE,
        /** Requests to 30 resources its profile does not grant, 1-3 s apart; start: the first. */
        SCANNING,
        /** Handshakes presenting its key without the private key, 2-10 a second; start: the first. */
        CREDENTIAL_STUFFING,
        /** A second peer with its key handshakes from another address and reports like it; start: its handshake. */
        CLONE,
        /**
         * Its rate grows 10 % a day. Start: the moment the scheduled rate passes the ceiling the engine holds
         * its cohort to (the fastest 1 % of the cohort, times the margin), as read at the creep's start.
         */
        RATE_CREEP
    }

    /**
     * @param healthy devices that are never attacked (the false-positive population)
     * @param victimsPerAttack devices attacked, per attack
     * @param days simulated days
     * @param firstAttackDay attacks start at a random time from this day to two days before the end
     * @param creepStartDay rate creep starts on this day (it takes days to leave the cohort's range)
     */
    public record Config(int healthy, int victimsPerAttack, int days, long seed, int firstAttackDay, int creepStartDay) {
    }

    static final long START = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli(); // a Monday
    static final long SECOND = 1000;
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;
    static final long NEVER = Long.MAX_VALUE;
    static final int RES_T = 0;
    static final int RES_FW = 1;
    static final int RES_KEY = 2;
    static final long FIRMWARE = FirmwareVersion.parse("1.0.0");

    enum Kind {
        SENSOR(MINUTE, 1024, 0.5), METER(5 * MINUTE, 2048, 0.1), OFFICE(5 * MINUTE, 1024, 0.1);

        final long period;
        final int maxPayload;
        final double declaredRate;

        Kind(long period, int maxPayload, double declaredRate) {
            this.period = period;
            this.maxPayload = maxPayload;
            this.declaredRate = declaredRate;
        }

        String profile() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Config config;
    private final long end;
    private final PolicyEngine policy;
    private final TrustEngine engine;
    private final Map<Kind, ProfileLimits> limits = new EnumMap<>(Kind.class);
    private final List<Device> devices = new ArrayList<>();
    private final Map<TrustSignal, Integer> causes = new EnumMap<>(TrustSignal.class);
    private long nextConnection = 1;
    private long requests;
    private long handshakes;
    private int alreadyRestricted;

    private FleetSimulation(Config config, TrustSettings settings) {
        this.config = config;
        this.end = START + config.days() * DAY;
        this.policy = new PolicyEngine(policy(), 1 << 20);
        this.engine = new TrustEngine(settings, this::changed, 1 << 20);
    }

    /** Runs the fleet with the default settings. */
    public static FleetReport run(Config config) {
        return run(config, TrustSettings.defaults());
    }

    public static FleetReport run(Config config, TrustSettings settings) {
        return new FleetSimulation(config, settings).simulate();
    }

    private FleetReport simulate() {
        SplittableRandom seeds = new SplittableRandom(config.seed());
        Kind[] mix = {Kind.SENSOR, Kind.SENSOR, Kind.METER, Kind.METER, Kind.OFFICE};
        for (int i = 0; i < config.healthy(); i++) {
            devices.add(new Device(devices.size(), mix[i % mix.length], seeds.split(), null));
        }
        for (Attack attack : Attack.values()) {
            for (int i = 0; i < config.victimsPerAttack(); i++) {
                Kind kind = attack == Attack.OFF_SCHEDULE ? Kind.OFFICE : i % 2 == 0 ? Kind.SENSOR : Kind.METER;
                devices.add(new Device(devices.size(), kind, seeds.split(), attack));
            }
        }
        PriorityQueue<Device> agenda = new PriorityQueue<>((a, b) -> Long.compare(a.next(), b.next()));
        agenda.addAll(devices);
        while (!agenda.isEmpty()) {
            Device device = agenda.poll();
            long now = device.next();
            if (now >= end) {
                continue;
            }
            device.step(now);
            agenda.add(device);
        }
        return report();
    }

    private FleetReport report() {
        long bad = 0;
        for (Device d : devices) {
            if (d.attack == null) {
                d.markUntil(end);
                for (boolean day : d.untrustedDays) {
                    bad += day ? 1 : 0;
                }
            }
        }
        List<FleetReport.AttackResult> results = new ArrayList<>();
        for (Attack attack : Attack.values()) {
            List<Double> seconds = new ArrayList<>();
            List<Double> fromTruth = new ArrayList<>();
            int victims = 0;
            for (Device d : devices) {
                if (d.attack != attack) {
                    continue;
                }
                victims++;
                if (d.contained != NEVER && d.attackStart != NEVER) {
                    seconds.add((d.contained - d.attackStart) / 1000.0);
                    if (attack == Attack.RATE_CREEP) {
                        fromTruth.add((d.contained - d.truthExit) / 1000.0);
                    }
                }
            }
            Collections.sort(seconds);
            Collections.sort(fromTruth);
            results.add(new FleetReport.AttackResult(attack, victims, seconds.size(), List.copyOf(seconds),
                    List.copyOf(fromTruth)));
        }
        return new FleetReport(config, results, (long) config.healthy() * config.days(), bad, Map.copyOf(causes),
                requests, handshakes, alreadyRestricted);
    }

    /** For investigating: print every tier change and containment (with the device's explanation). */
    static boolean TRACE;
    /** For investigating: print every request and handshake of this device. */
    static int TRACE_DEVICE = -1;

    private void changed(TrustChange change) {
        Device d = devices.get((int) change.deviceId());
        if (TRACE) {
            System.out.println((d.attack == null ? "healthy " : d.attack + " ") + d.kind + " "
                    + Instant.ofEpochMilli(change.atMillis()) + " " + change + "\n   " + engine.explain(d.trust, change.atMillis()));
        }
        boolean down = change.suspend() || change.to() != TrustTier.TRUSTED;
        if (d.attack == null && down && !change.causes().isEmpty()) {
            causes.merge(change.causes().get(0).signal(), 1, Integer::sum);
        }
        if (down && d.untrustedSince == NEVER) {
            d.untrustedSince = change.atMillis();
        }
        if (change.suspend()) {
            d.markDay(change.atMillis());
        }
        if (!down && change.to() == TrustTier.TRUSTED) {
            d.markUntil(change.atMillis());
        }
        boolean contained = change.suspend() || !change.to().atLeast(TrustTier.TRUSTED);
        if (d.attack == Attack.RATE_CREEP && d.creeping && contained && d.contained == NEVER) {
            d.creepCrossing(d.trust.cohort.floorMs());
        }
        if (d.attack != null && contained && d.contained == NEVER && (d.attacking || d.attack == Attack.RATE_CREEP
                && d.creeping)) {
            d.contained = change.atMillis();
            if (TRACE) {
                System.out.println("CONTAINED " + d.attack + " " + d.id + " " + d.kind + " after "
                        + (d.contained - d.attackStart) / 1000.0 + " s: " + change);
            }
        }
    }

    private long connection() {
        return nextConnection++;
    }

    private static CompiledPolicy policy() {
        Map<String, DeviceProfile> profiles = new java.util.LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            SendRule telemetry = new SendRule("t", List.of("POST"), List.of(112), kind.maxPayload,
                    new Rate(kind.declaredRate, 60), 0);
            profiles.put(kind.profile(), new DeviceProfile(List.of(telemetry), List.of("reboot"),
                    List.of("firmware", "key-rotation"), Conditions.NONE, null, false, null));
        }
        try {
            return PolicyCompiler.compile(new PolicySet(1, profiles, Map.of("admin", new OperatorRole(List.of("*")))));
        } catch (PolicyException e) {
            throw new IllegalStateException(e.errors().toString(), e);
        }
    }

    /** One device: healthy behaviour, and its attack if it is a victim. */
    private final class Device {

        final int id;
        final Kind kind;
        final SplittableRandom rnd;
        final Attack attack;
        final long period;
        final boolean grid;
        final int size;
        final int startHour;
        final int endHour;
        final DeviceTrust trust;
        final Subject subject;
        final boolean[] untrustedDays = new boolean[config.days()];
        long untrustedSince = NEVER;

        long conn;
        long addr;
        int port;
        long sessionStart;
        long nominal;
        long nextReport;
        long nextFw;
        long nextReboot;
        long nextRebind;
        long nextOffline;
        long nextReturn = NEVER;
        long nextRotation;
        long nextFlush = NEVER;
        long nextAttack = NEVER;
        long nextPing = NEVER;
        boolean offline;
        int queued;
        boolean packs;

        boolean attacking;
        boolean exfiltrating;
        boolean creeping;
        long creepStart;
        long attackStart = NEVER;
        long attackUntil = NEVER;
        long contained = NEVER;
        long truthExit = NEVER;
        int attackCount;
        long cloneConn;
        long cloneAddr;
        long legitConn;
        long legitAddr;

        Device(int id, Kind kind, SplittableRandom rnd, Attack attack) {
            this.id = id;
            this.kind = kind;
            this.rnd = rnd;
            this.attack = attack;
            this.period = (long) (kind.period * rnd.nextDouble(0.9, 1.1));
            this.grid = rnd.nextBoolean() && attack != Attack.RATE_CREEP;
            this.size = rnd.nextInt(40, 200);
            this.startHour = 6 + rnd.nextInt(3);
            this.endHour = 17 + rnd.nextInt(3);
            this.trust = engine.device(id, kind.profile(), limits.computeIfAbsent(kind,
                    k -> ProfileLimits.of(policy.profile(k.profile()).orElseThrow())));
            this.subject = policy.device(id, kind.profile());
            this.addr = address(0);
            long first = START + (long) (rnd.nextDouble() * period);
            this.nominal = first;
            this.nextReport = kind == Kind.OFFICE && !active(first) ? nextActiveStart(first) : first;
            this.nextFw = START + (long) (rnd.nextDouble() * DAY);
            this.nextReboot = START + exponential(3 * DAY);
            this.nextRebind = START + exponential(12 * HOUR);
            this.nextOffline = START + exponential(7 * DAY);
            this.nextRotation = START + (long) (rnd.nextDouble(5, 20) * DAY);
            if (attack == Attack.RATE_CREEP) {
                creepStart = START + config.creepStartDay() * DAY + (long) (rnd.nextDouble() * DAY);
                nextAttack = creepStart;
            } else if (attack != null) {
                long from = START + config.firstAttackDay() * DAY;
                long to = end - 2 * DAY;
                nextAttack = from + (long) (rnd.nextDouble() * Math.max(1, to - from));
                if (attack == Attack.OFF_SCHEDULE) {
                    nextAttack = smallHoursOfWeekday(nextAttack);
                }
            }
        }

        long next() {
            long next = Math.min(Math.min(nextReport, nextFw), Math.min(nextReboot, nextRebind));
            next = Math.min(next, Math.min(nextOffline, nextReturn));
            next = Math.min(next, Math.min(nextRotation, nextFlush));
            return Math.min(next, Math.min(nextAttack, nextPing));
        }

        void step(long now) {
            if (now == nextPing) {
                nextPing = NEVER;
                engine.onSessionActivity(trust, now, legitConn, legitAddr);
            } else if (now == nextAttack) {
                attack(now);
            } else if (now == nextFlush) {
                flush(now);
            } else if (now == nextReturn) {
                comeBack(now);
            } else if (now == nextReport) {
                report(now);
            } else if (now == nextFw) {
                nextFw = now + DAY + (long) (rnd.nextDouble(-1, 1) * HOUR);
                if (!offline && (kind != Kind.OFFICE || active(now))) {
                    send(now, conn, addr, RES_FW, "firmware", Action.USE_SERVICE, Method.GET, 0);
                }
            } else if (now == nextReboot) {
                nextReboot = now + exponential(3 * DAY);
                if (!offline && (kind != Kind.OFFICE || active(now))) {
                    addr = address(++port);
                    handshake(now);
                    reading(now);
                    nominal = now + period;
                    nextReport = nominal;
                }
            } else if (now == nextRebind) {
                nextRebind = now + exponential(12 * HOUR);
                addr = address(++port); // seen with the next packet
            } else if (now == nextOffline) {
                nextOffline = now + exponential(7 * DAY);
                if (!offline && (kind != Kind.OFFICE || active(now))) {
                    offline = true;
                    nextReturn = now + (long) (rnd.nextDouble(0.5, 12) * HOUR);
                }
            } else if (now == nextRotation) {
                nextRotation = now + (long) (rnd.nextDouble(8, 20) * DAY);
                if (!offline) {
                    send(now, conn, addr, RES_KEY, "key-rotation", Action.USE_SERVICE, Method.POST, 150);
                    handshake(now + 200); // the new key's session, from the same socket
                }
            }
        }

        private void report(long now) {
            long p = currentPeriod(now);
            nominal += p;
            if (nominal < now - p) {
                nominal = now;
            }
            nextReport = grid ? nominal + (long) (rnd.nextDouble(-0.1, 0.1) * p)
                    : now + (long) (p * rnd.nextDouble(0.9, 1.1));
            nextReport = Math.max(nextReport, now + 1);
            if (kind == Kind.OFFICE && !active(now)) {
                nextReport = nextActiveStart(now);
                nominal = nextReport;
                return;
            }
            if (offline) {
                queued = Math.min(1000, queued + 1);
                return;
            }
            if (now - sessionStart > DAY) {
                engine.onSessionClosed(trust, conn); // session.max-lifetime: the next contact is a full handshake
                handshake(now);
            }
            if (exfiltrating && attackStart == NEVER) {
                attackStart = now;
                attacking = true;
                restrictedAtStart();
            }
            reading(now);
            if (attack == Attack.CLONE && attacking && !offline) {
                send(now + 1500, cloneConn, cloneAddr, RES_T, "t", Action.SEND, Method.POST, size);
            }
        }

        private void reading(long now) {
            int bytes = exfiltrating ? Math.min(kind.maxPayload, 10 * size) : sample();
            send(now, conn, addr, RES_T, "t", Action.SEND, Method.POST, bytes);
        }

        private void comeBack(long now) {
            nextReturn = NEVER;
            offline = false;
            addr = address(++port);
            if (rnd.nextBoolean()) {
                handshake(now);
            }
            if (queued > 0) {
                packs = rnd.nextBoolean();
                nextFlush = now + (long) (rnd.nextDouble(0.5, 2) * SECOND);
            }
        }

        private void flush(long now) {
            int readings = packs ? Math.min(queued, kind.maxPayload / size) : 1;
            Decision decision = send(now, conn, addr, RES_T, "t", Action.SEND, Method.POST, readings * size);
            if (decision.rateLimited()) {
                nextFlush = now + decision.retryAfterSeconds() * SECOND;
                return;
            }
            queued -= readings;
            nextFlush = queued > 0 ? now + (long) (rnd.nextDouble(0.2, 1.0) * SECOND) : NEVER;
        }

        private void attack(long now) {
            switch (attack) {
                case FLOOD -> {
                    start(now, HOUR);
                    send(now, conn, addr, RES_T, "t", Action.SEND, Method.POST, sample());
                    nextAttack = next(now, period / 10);
                }
                case EXFILTRATION -> {
                    exfiltrating = true; // from the next reading on
                    attackUntil = now + HOUR;
                    nextAttack = attackUntil;
                    if (attackStart != NEVER) {
                        exfiltrating = false;
                        attacking = false;
                        nextAttack = NEVER;
                    }
                }
                case OFF_SCHEDULE -> {
                    start(now, HOUR);
                    send(now, conn, addr, RES_T, "t", Action.SEND, Method.POST, sample());
                    nextAttack = ++attackCount < 40 ? next(now, (long) (rnd.nextDouble(5, 15) * SECOND)) : NEVER;
                }
                case SCANNING -> {
                    start(now, HOUR);
                    int k = attackCount++;
                    send(now, conn, addr, 10 + k, "probe-" + k, Action.SEND, Method.GET, 0);
                    nextAttack = attackCount < 30 ? next(now, (long) (rnd.nextDouble(1, 3) * SECOND)) : NEVER;
                }
                case CREDENTIAL_STUFFING -> {
                    start(now, HOUR);
                    engine.onHandshakeRefused(trust, now, HandshakeRefusal.PROOF_FAILED);
                    nextAttack = ++attackCount < 200 ? next(now, (long) (rnd.nextDouble(100, 500))) : NEVER;
                }
                case CLONE -> {
                    if (offline) {
                        nextAttack = now + HOUR; // two peers live at once needs the device live
                        return;
                    }
                    start(now, NEVER);
                    legitConn = conn;
                    legitAddr = addr;
                    cloneConn = connection();
                    cloneAddr = (1L << 62) | id;
                    handshakes++;
                    engine.onHandshake(trust, now, cloneConn, cloneAddr, false);
                    if (!offline) {
                        nextPing = now + 30 + rnd.nextInt(270); // the server's probe of the older session
                    }
                    nextAttack = NEVER;
                }
                case RATE_CREEP -> {
                    creeping = true;
                    attacking = true;
                    creepCrossing(trust.cohort.floorMs());
                    long fastest = fastestHealthy(kind);
                    truthExit = now + (long) (DAY * Math.log(period / (double) fastest) / Math.log(1.1));
                    nextAttack = NEVER;
                }
                default -> throw new IllegalStateException(attack.toString());
            }
        }

        /** When the creeping rate passes {@code ceilingMs}: the ceiling in force when it was contained. */
        void creepCrossing(float ceilingMs) {
            attackStart = creepStart + (long) (DAY * Math.log(period / (double) ceilingMs) / Math.log(1.1));
        }

        private void start(long now, long duration) {
            if (attackStart == NEVER) {
                attackStart = now;
                attacking = true;
                attackUntil = duration == NEVER ? NEVER : now + duration;
                restrictedAtStart();
            }
        }

        /** A victim already held below TRUSTED when its attack starts (a false positive) is contained at once. */
        private void restrictedAtStart() {
            if (!engine.tier(trust).atLeast(TrustTier.TRUSTED) && contained == NEVER) {
                contained = attackStart;
                alreadyRestricted++;
            }
        }

        private long next(long now, long gap) {
            return now + gap < attackUntil ? now + gap : NEVER;
        }

        private long currentPeriod(long now) {
            if (!creeping) {
                return period;
            }
            return Math.max(SECOND, (long) (period / Math.pow(1.1, (now - creepStart) / (double) DAY)));
        }

        private Decision send(long now, long connection, long address, int resource, String name, Action action,
                Method method, int bytes) {
            if (connection == 0 || now - sessionStart > DAY && connection == conn) {
                handshake(now);
                connection = conn;
                address = addr;
            }
            requests++;
            Decision decision = policy.decide(subject, action, name, new RequestFacts(now, method,
                    method == Method.GET ? RequestFacts.NO_CONTENT_FORMAT : 112, bytes, engine.tier(trust), FIRMWARE));
            engine.onRequest(trust, now, connection, address, resource, method, bytes, decision);
            if (id == TRACE_DEVICE) {
                System.out.printf("  %s conn %d addr %d res %d bytes %d %s credit %.2f bank %.2f interval %.1f%n",
                        Instant.ofEpochMilli(now), connection, address & 0xFFFFF, resource, bytes, decision, trust.credit,
                        trust.bank, trust.interval / 1000);
            }
            return decision;
        }

        private void handshake(long now) {
            if (id == TRACE_DEVICE) {
                System.out.println("  handshake " + Instant.ofEpochMilli(now));
            }
            conn = connection();
            sessionStart = now;
            handshakes++;
            engine.onHandshake(trust, now, conn, addr, false);
            if (attack == Attack.CLONE && attacking) {
                // The server probes the older session, now the clone's, which answers.
                engine.onSessionActivity(trust, now + 30 + rnd.nextInt(270), cloneConn, cloneAddr);
            }
        }

        private int sample() {
            return Math.max(1, (int) Math.round(size * (1 + 0.1 * rnd.nextGaussian())));
        }

        private long address(int port) {
            return (long) id << 20 | port;
        }

        private long exponential(long mean) {
            return (long) (-mean * Math.log(1 - rnd.nextDouble()));
        }

        private boolean active(long now) {
            long day = Math.floorDiv(now, DAY);
            int dow = (int) Math.floorMod(day + 3, 7L);
            int hour = (int) (Math.floorMod(now, DAY) / HOUR);
            return dow < 5 && hour >= startHour && hour < endHour;
        }

        private long nextActiveStart(long now) {
            long day = Math.floorDiv(now, DAY);
            for (int i = 0; i < 8; i++, day++) {
                long start = day * DAY + startHour * HOUR + (long) (rnd.nextDouble() * period);
                if (start > now && active(start)) {
                    return start;
                }
            }
            throw new IllegalStateException("no active hour within a week");
        }

        private long smallHoursOfWeekday(long from) {
            long day = Math.floorDiv(from, DAY);
            while (Math.floorMod(day + 3, 7L) >= 5) {
                day++;
            }
            return day * DAY + HOUR + (long) (rnd.nextDouble() * 3 * HOUR);
        }

        void markDay(long at) {
            int day = (int) ((at - START) / DAY);
            if (day >= 0 && day < untrustedDays.length) {
                untrustedDays[day] = true;
            }
        }

        void markUntil(long at) {
            if (untrustedSince == NEVER) {
                return;
            }
            for (long t = untrustedSince; t < at; t += DAY) {
                markDay(t);
            }
            markDay(Math.max(untrustedSince, at - 1));
            untrustedSince = NEVER;
        }
    }

    private long fastestHealthy(Kind kind) {
        long fastest = Long.MAX_VALUE;
        for (Device d : devices) {
            if (d.attack == null && d.kind == kind) {
                fastest = Math.min(fastest, d.period);
            }
        }
        return fastest;
    }
}
