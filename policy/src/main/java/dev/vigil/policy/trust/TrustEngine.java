package dev.vigil.policy.trust;

import dev.vigil.policy.Decision;
import dev.vigil.policy.Method;
import dev.vigil.policy.TrustTier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Continuous verification (DESIGN.md "Trust"): learns each device's behaviour online, scores deviation,
 * and keeps each device's {@link TrustTier} with hysteresis. Pure and JDK only, like
 * {@link dev.vigil.policy.PolicyEngine}: the caller's clock goes into every call, and the server acts on
 * what the {@link TrustListener} is told (record the change, suspend on a SUSPEND verdict).
 *
 * <p>The server keeps the {@link DeviceTrust} that {@link #device} returns with each session, reads
 * {@link #tier} before each policy decision, and reports after it with {@link #onRequest}, which is O(1),
 * allocates nothing and takes one uncontended compare-and-set. Handshakes, refusals, session activity and
 * firmware reports go to the other {@code on...} methods.
 *
 * <p>Devices are remembered by id up to {@code maxDevices}; beyond that a device is still handed a state
 * (it works for as long as the caller keeps it) but not remembered. {@link #forget} drops one.
 */
public final class TrustEngine {

    private final Tuning tuning;
    private final TrustListener listener;
    private final int maxDevices;
    private final Map<Long, DeviceTrust> devices = new ConcurrentHashMap<>();
    private final Map<String, Cohort> cohorts = new ConcurrentHashMap<>();

    public TrustEngine(TrustSettings settings, TrustListener listener, int maxDevices) {
        this.tuning = new Tuning(Objects.requireNonNull(settings, "settings"));
        this.listener = Objects.requireNonNull(listener, "listener");
        if (maxDevices < 1) {
            throw new IllegalArgumentException("maxDevices must be at least 1: " + maxDevices);
        }
        this.maxDevices = maxDevices;
    }

    public TrustSettings settings() {
        return tuning.settings;
    }

    /**
     * The device's state: the remembered one if it has this profile, else a fresh one. A device moved to
     * another profile starts learning again but keeps its tier, pin and verdicts. {@code declared} updates
     * the profile's declared limits for every device of it.
     */
    public DeviceTrust device(long deviceId, String profile, ProfileLimits declared) {
        Cohort cohort = cohort(profile, declared);
        DeviceTrust known = devices.get(deviceId);
        if (known != null && known.cohort == cohort) {
            return known;
        }
        if (known == null && devices.size() >= maxDevices) {
            return new DeviceTrust(deviceId, cohort);
        }
        return devices.compute(deviceId, (id, current) -> {
            if (current != null && current.cohort == cohort) {
                return current;
            }
            DeviceTrust fresh = new DeviceTrust(deviceId, cohort);
            if (current != null) {
                current.lock();
                try {
                    fresh.restoreTier(current.tier().ordinal());
                    fresh.pinned = current.pinned;
                    fresh.severe = current.severe;
                    fresh.flags = (byte) (current.flags & (DeviceTrust.SUSPEND_ISSUED | DeviceTrust.FIRMWARE_MISMATCH));
                } finally {
                    current.unlock();
                }
            }
            return fresh;
        });
    }

    /** The remembered state of a device, if it has one (nothing is created: for listings and operators). */
    public Optional<DeviceTrust> find(long deviceId) {
        return Optional.ofNullable(devices.get(deviceId));
    }

    /**
     * A device's state from {@link #export}, remembered in place of any it had: restore before handing the
     * device's state to its sessions (at start, or on its first contact), as a state already in use is not
     * updated by this.
     */
    public DeviceTrust restore(long deviceId, String profile, ProfileLimits declared, byte[] snapshot) {
        DeviceTrust device = new DeviceTrust(deviceId, cohort(profile, declared));
        device.restoreTier(Snapshots.read(Objects.requireNonNull(snapshot, "snapshot"), device));
        if (devices.containsKey(deviceId) || devices.size() < maxDevices) {
            devices.put(deviceId, device);
        }
        return device;
    }

    /** The device's state in {@value Snapshots#SIZE} bytes, for {@link #restore} after a restart. */
    public byte[] export(DeviceTrust device) {
        device.lock();
        try {
            return Snapshots.write(device);
        } finally {
            device.unlock();
        }
    }

    /** What the profile's cohort has learned (about 1.7 KB), or empty if no device of it was seen. */
    public Optional<byte[]> exportCohort(String profile) {
        return Optional.ofNullable(cohorts.get(profile)).map(Cohort::export);
    }

    /** Puts back a cohort from {@link #exportCohort}; call before restoring its devices. */
    public void restoreCohort(String profile, ProfileLimits declared, byte[] snapshot) {
        cohort(profile, declared).restore(Objects.requireNonNull(snapshot, "snapshot"));
    }

    /** Profiles with a cohort. */
    public Set<String> profiles() {
        return new TreeSet<>(cohorts.keySet());
    }

    /** Each remembered device, for saving them all. */
    public void forEachDevice(Consumer<DeviceTrust> action) {
        devices.values().forEach(action);
    }

    /** Drops a device's remembered state, for decommissioning. */
    public void forget(long deviceId) {
        DeviceTrust gone = devices.remove(deviceId);
        if (gone != null && (gone.flags & DeviceTrust.MEMBER) != 0) {
            gone.cohort.leave();
        }
    }

    /** Remembered devices. */
    public int devices() {
        return devices.size();
    }

    // ---- observations ----

    /**
     * One request the gate saw, after the policy decided it (allowed or not). {@code connection} identifies
     * the DTLS connection it came over (a new value for each handshake, full or resumed; never 0) and
     * {@code address} its source address and port, hashed. {@code resource} is the server's index of the
     * resource within the profile (or any stable hash): only equality and its low 6 bits are used. For a
     * block-wise transfer, report the first block only, with the whole size if known.
     *
     * @return the device's tier after this request; it applies from the next request on
     */
    public TrustTier onRequest(DeviceTrust device, long nowMillis, long connection, long address, int resource,
            Method method, int payloadBytes, Decision decision) {
        TrustChange change;
        device.lock();
        try {
            change = device.request(nowMillis, connection, address, resource, method.ordinal(), payloadBytes, decision);
        } finally {
            device.unlock();
        }
        if (change != null) {
            listener.changed(change);
        }
        return device.tier();
    }

    /**
     * A completed handshake with one of the device's keys, full or resumed: a new connection (give a
     * resumption its own {@code connection} value too). Either earns the device one early request, at most
     * once per learned interval, as a rebooted device sends its first reading at once. If the device's
     * previous connection is still established and from another address, ping it (an empty CON) and report
     * the answer with {@link #onSessionActivity}: if it is live too, that is a clone.
     *
     * @param resumed whether it was an abbreviated handshake; both kinds are treated alike for now
     */
    public void onHandshake(DeviceTrust device, long nowMillis, long connection, long address, boolean resumed) {
        TrustChange change;
        device.lock();
        try {
            change = device.handshake(nowMillis, connection, address);
        } finally {
            device.unlock();
        }
        publish(change);
    }

    /** A handshake refused although it presented a key of this device (suspended, tombstoned, or unproven). */
    public void onHandshakeRefused(DeviceTrust device, long nowMillis, HandshakeRefusal reason) {
        Objects.requireNonNull(reason, "reason");
        TrustChange change;
        device.lock();
        try {
            change = device.handshakeRefused(nowMillis, reason);
        } finally {
            device.unlock();
        }
        publish(change);
    }

    /**
     * Something other than a request showed a connection live (the answer to a ping, say), from
     * {@code address}. On the current connection from a new address this is NAT rebinding; on the previous
     * connection, after the newer one began and from another address, a clone (SUSPEND).
     */
    public void onSessionActivity(DeviceTrust device, long nowMillis, long connection, long address) {
        TrustChange change;
        device.lock();
        try {
            change = device.activityOnly(nowMillis, connection, address);
        } finally {
            device.unlock();
        }
        publish(change);
    }

    /** The server ended a connection (expiry, revocation, close_notify): it will show no activity again. */
    public void onSessionClosed(DeviceTrust device, long connection) {
        device.lock();
        try {
            device.closed(connection);
        } finally {
            device.unlock();
        }
    }

    /**
     * A relay child's new session came from an address other than its gateway's live session (or its gateway had
     * none): it is served, as any device holding its key, but this costs trust ({@link TrustSignal#OFF_GATEWAY}).
     */
    public void onOffGateway(DeviceTrust child, long nowMillis) {
        gatewayEvent(child, nowMillis, TrustSignal.OFF_GATEWAY);
    }

    /** A gateway spoke for its proxied children once beyond their aggregate allowance ({@link TrustSignal#GATEWAY_EXCESS}). */
    public void onGatewayExcess(DeviceTrust gateway, long nowMillis) {
        gatewayEvent(gateway, nowMillis, TrustSignal.GATEWAY_EXCESS);
    }

    private void gatewayEvent(DeviceTrust device, long nowMillis, TrustSignal signal) {
        TrustChange change;
        device.lock();
        try {
            change = device.gatewayEvent(nowMillis, signal);
        } finally {
            device.unlock();
        }
        publish(change);
    }

    /** The device reported its running firmware; {@code matchesAssigned} whether version and hash are the assigned image's. */
    public void onFirmware(DeviceTrust device, long nowMillis, boolean matchesAssigned) {
        TrustChange change;
        device.lock();
        try {
            change = device.firmware(nowMillis, matchesAssigned);
        } finally {
            device.unlock();
        }
        publish(change);
    }

    // ---- reading and operating ----

    /** The tier to decide the next request with; lock-free. */
    public TrustTier tier(DeviceTrust device) {
        return device.tier();
    }

    /** The score at {@code nowMillis}, 0-100 (counted events fade with time even without observations). */
    public int score(DeviceTrust device, long nowMillis) {
        device.lock();
        try {
            device.catchUp(nowMillis);
            return device.score(tuning);
        } finally {
            device.unlock();
        }
    }

    /**
     * An operator's release: TRUSTED again, every signal and verdict cleared, the pin removed, and the
     * baselines relearned from now on (a release says the new behaviour is the device's own).
     */
    public void release(DeviceTrust device, long nowMillis) {
        TrustChange change;
        device.lock();
        try {
            change = device.release(nowMillis);
        } finally {
            device.unlock();
        }
        publish(change);
    }

    /**
     * An operator pins the device's tier ({@code null} unpins: the engine moves it from where it is on its
     * next observation). A pinned device keeps learning, scoring and issuing SUSPEND verdicts; only its
     * tier stays.
     */
    public void pin(DeviceTrust device, long nowMillis, TrustTier tier) {
        TrustChange change;
        device.lock();
        try {
            change = device.pin(nowMillis, tier);
        } finally {
            device.unlock();
        }
        publish(change);
    }

    /**
     * Another node's engine moved this device to {@code tier} (several nodes share one registry): this engine takes
     * that tier and keeps its own counters, and its listener is not told (the other node recorded the change). A
     * pinned device keeps its pin. A lower tier counts as unclean from now, so this engine lets the device recover
     * from LIMITED only after its own clean period; QUARANTINED stays until an operator releases it, as here.
     *
     * @return whether the tier changed
     */
    public boolean adopt(DeviceTrust device, long nowMillis, TrustTier tier) {
        Objects.requireNonNull(tier, "tier");
        device.lock();
        try {
            return device.adopt(nowMillis, tier);
        } finally {
            device.unlock();
        }
    }

    /** Score, tier, contributions, recent changes and baseline figures of one device. */
    public TrustExplanation explain(DeviceTrust device, long nowMillis) {
        device.lock();
        try {
            device.catchUp(nowMillis);
            List<TrustExplanation.Recent> recent = new ArrayList<>();
            for (long packed : new long[] {device.recent0, device.recent1}) {
                if (packed != 0) {
                    int cause = (int) (packed >>> 24 & 0xFF);
                    recent.add(new TrustExplanation.Recent(((packed >> 32) * 1000) + DeviceTrust.BASE_MS,
                            TrustTier.values()[(int) (packed >>> 8 & 0xFF)], (packed & 1) != 0, (packed & 2) != 0,
                            (int) (packed >>> 16 & 0xFF), cause == 0xFF ? null : TrustSignal.values()[cause]));
                }
            }
            return new TrustExplanation(device.deviceId, device.profile(), device.score(tuning), device.tier(),
                    device.pinnedTier(), (device.flags & DeviceTrust.SUSPEND_ISSUED) != 0, device.contributions(tuning),
                    recent, baseline(device, nowMillis));
        } finally {
            device.unlock();
        }
    }

    private Map<String, String> baseline(DeviceTrust d, long nowMillis) {
        Map<String, String> figures = new LinkedHashMap<>();
        figures.put("learned from", d.requests + " requests" + (d.requests < tuning.warmup ? " (warming up)" : ""));
        figures.put("interval", String.format(Locale.ROOT, "%.1f s (%.1f requests/h)", d.interval / 1000,
                d.interval > 0 ? 3_600_000 / d.interval : 0));
        figures.put("payload", String.format(Locale.ROOT, "%.0f B +- %.0f B", d.size, d.sizeDev));
        figures.put("overdraft", String.format(Locale.ROOT, "%.2f requests, %.0f B; banked %.1f requests, %.0f B",
                Math.max(0, -d.credit), Math.max(0, -d.byteCredit), d.bank, d.byteBank));
        figures.put("counted", String.format(Locale.ROOT, "off-schedule %.1f, denials %.1f (%d resources), other"
                + " resources %.1f, new resources %.1f, handshake failures %.1f, suspended-key refusals %.1f,"
                + " address changes %.1f", d.off, d.denials, Long.bitCount(d.denied), d.others, d.fresh, d.failures,
                d.refusals, d.churn));
        figures.put("resources used", Long.bitCount(d.used) + " (main: " + d.primary + ")");
        long age = (long) DeviceTrust.seconds(nowMillis) - d.scheduleS;
        figures.put("hours of the week", Long.bitCount(d.seen0) + Long.bitCount(d.seen1) + Long.bitCount(d.seen2)
                + " seen, " + (Long.bitCount(d.twice0) + Long.bitCount(d.twice1) + Long.bitCount(d.twice2))
                + " in two weeks; schedule from " + (d.firstS == DeviceTrust.UNSET ? "nothing yet"
                : age >= tuning.maturitySeconds ? "its own history" : d.cohort.scheduleMature() ? "the cohort"
                : "nothing yet (no signal)"));
        figures.put("connections", (d.conn == 0 ? "none" : "current since " + java.time.Instant.ofEpochMilli(d.newerMs))
                + (d.prevConn == 0 ? "" : ", previous still established"));
        figures.put("cohort", d.cohort.toString());
        return figures;
    }

    private Cohort cohort(String profile, ProfileLimits declared) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(declared, "declared");
        Cohort cohort = cohorts.computeIfAbsent(profile, name -> new Cohort(name, tuning, declared));
        if (!cohort.limits.equals(declared)) {
            cohort.limits = declared;
            cohort.recompute();
        }
        return cohort;
    }

    private void publish(TrustChange change) {
        if (change != null) {
            listener.changed(change);
        }
    }
}
