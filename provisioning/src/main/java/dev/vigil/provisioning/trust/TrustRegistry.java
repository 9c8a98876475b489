package dev.vigil.provisioning.trust;

import dev.vigil.provisioning.audit.AuditLog;
import dev.vigil.provisioning.audit.SecurityEvents;

import dev.vigil.policy.PolicyEngine;
import dev.vigil.policy.TrustTier;
import dev.vigil.policy.trust.Contribution;
import dev.vigil.policy.trust.DeviceTrust;
import dev.vigil.policy.trust.ProfileLimits;
import dev.vigil.policy.trust.TrustChange;
import dev.vigil.policy.trust.TrustEngine;
import dev.vigil.policy.trust.TrustExplanation;
import dev.vigil.policy.trust.TrustListener;
import dev.vigil.policy.trust.TrustSettings;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.devices.DeviceRegistry;
import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.devices.Lifecycle;
import dev.vigil.provisioning.devices.LifecycleChange;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.SessionControl;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous verification on the registry's side: the {@link TrustEngine} the server feeds, what it decides
 * made durable and acted on, and the operators' view and overrides.
 * <ul>
 * <li>every tier change is one transaction — the device's trust row and an audit record (actor
 * {@code system (trust engine)}, with the signals that caused it) — and a security event
 * ({@code trust-lowered}, {@code trust-restored}, {@code clone-suspected} ...);</li>
 * <li>a SUSPEND verdict suspends the device in the registry and cuts its live sessions;</li>
 * <li>{@link #save} (periodically and at a clean stop) keeps every device's baselines and the cohorts, and
 * {@link #restore} puts them back at start, so tiers and what was learned survive a restart.</li>
 * </ul>
 * The engine tells of changes on the thread that observed them (a request, a handshake); the work is done
 * on one thread of its own, in order.
 */
public final class TrustRegistry implements TrustListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrustRegistry.class);
    static final Actor ENGINE = Actor.system("trust engine");

    private final Database database;
    private final AuditLog audit;
    private final DeviceRegistry devices;
    private final SecurityEvents events;
    private final PolicyEngine policy;
    private final Clock clock;
    private final TrustStore store;
    private final TrustEngine engine;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "vigil-trust");
        thread.setDaemon(true);
        return thread;
    });
    /** Declared limits per profile, for the policy version they were read from. */
    private final Map<String, ProfileLimits> limits = new ConcurrentHashMap<>();
    private volatile long limitsVersion = -1;
    private volatile SessionControl sessions;
    /** Told the device id after each tier change is recorded (held commands may be deliverable now). */
    private final List<java.util.function.LongConsumer> changes = new java.util.concurrent.CopyOnWriteArrayList<>();

    public TrustRegistry(Database database, AuditLog audit, DeviceRegistry devices, SecurityEvents events,
            PolicyEngine policy, TrustSettings settings, int maxDevices, Clock clock) {
        this.database = database;
        this.audit = audit;
        this.devices = devices;
        this.events = events;
        this.policy = policy;
        this.clock = clock;
        this.store = new TrustStore(database);
        this.engine = new TrustEngine(settings, this, maxDevices);
    }

    public TrustEngine engine() {
        return engine;
    }

    /**
     * Adds who hears of a device's tier changing, after it is recorded (the server's {@code /cmd} resource; the
     * rollouts that halt on anomalies).
     */
    public void onChange(java.util.function.LongConsumer listener) {
        changes.add(listener);
    }

    /** Where SUSPEND verdicts cut live sessions; set by the server once its endpoints exist. */
    public void cutSessionsWith(SessionControl sessions) {
        this.sessions = sessions;
    }

    /** The device's trust state, to keep with its session and feed with what it does. */
    public DeviceTrust stateOf(DeviceIdentity device) {
        return engine.device(device.deviceId(), device.profile(), limits(device.profile()));
    }

    /** The device's tier without creating a state for it: TRUSTED if the engine has never seen it. */
    public TrustTier tierOf(long deviceId) {
        return engine.find(deviceId).map(engine::tier).orElse(TrustTier.TRUSTED);
    }

    /** The device's score without creating a state for it: 100 if the engine has never seen it. */
    public int scoreOf(long deviceId) {
        return engine.find(deviceId).map(d -> engine.score(d, clock.millis())).orElse(100);
    }

    private ProfileLimits limits(String profile) {
        long version = policy.version();
        if (version != limitsVersion) {
            limits.clear();
            limitsVersion = version;
        }
        return limits.computeIfAbsent(profile,
                p -> policy.profile(p).map(ProfileLimits::of).orElse(ProfileLimits.UNKNOWN));
    }

    /** Puts back what was saved: cohorts first, then every device that is not decommissioned. */
    public void restore() {
        store.cohorts().forEach((profile, snapshot) -> engine.restoreCohort(profile, limits(profile), snapshot));
        int restored = 0;
        for (TrustStore.Saved saved : store.devices()) {
            try {
                DeviceTrust state = engine.restore(saved.deviceId(), saved.profile(), limits(saved.profile()),
                        saved.snapshot());
                followStored(state, saved.tier(), saved.pinned()); // the row may hold another node's newer decision
                restored++;
            } catch (RuntimeException e) {
                LOG.warn("trust state of device {} not restored ({}); it starts afresh", saved.deviceId(), e.getMessage());
            }
        }
        LOG.debug("trust: restored {} devices", restored);
    }

    /** Saves every device the engine remembers, and every cohort. */
    public void save() {
        long now = clock.millis();
        List<TrustStore.Saved> saved = new ArrayList<>();
        engine.forEachDevice(d -> saved.add(new TrustStore.Saved(d.deviceId(), null, engine.tier(d), d.pinnedTier(),
                engine.score(d, now), engine.export(d))));
        Map<String, byte[]> cohorts = new LinkedHashMap<>();
        for (String profile : engine.profiles()) {
            engine.exportCohort(profile).ifPresent(snapshot -> cohorts.put(profile, snapshot));
        }
        store.saveAll(saved, cohorts, Instant.ofEpochMilli(now));
    }

    /** Forgets a decommissioned device. */
    public void forget(long deviceId) {
        engine.forget(deviceId);
    }

    /** What the engine thinks of a device, and why. */
    public TrustExplanation explain(String name) {
        return engine.explain(state(name), clock.millis());
    }

    /**
     * An operator's release: every signal and verdict cleared, baselines relearned from now on, TRUSTED; a
     * device the engine suspended is reinstated too. Audited.
     */
    public TrustExplanation release(String name, Actor actor) {
        DeviceTrust state = state(name);
        boolean suspendedByEngine = engine.explain(state, clock.millis()).suspendIssued();
        engine.release(state, clock.millis());
        if (suspendedByEngine && devices.show(name).device().state() == DeviceState.SUSPENDED) {
            devices.change(name, Lifecycle.REINSTATE, actor);
        }
        audited(state, actor, "device.trust.release", "released: every signal cleared");
        return explain(name);
    }

    /** An operator pins a tier (null unpins). Audited. */
    public TrustExplanation pin(String name, TrustTier tier, Actor actor) {
        DeviceTrust state = state(name);
        engine.pin(state, clock.millis(), tier);
        audited(state, actor, "device.trust.pin", tier == null ? "unpinned" : "pinned at " + tier);
        return explain(name);
    }

    /**
     * Another node changed this device's tier (change feed): its engine decided one, or its operator pinned,
     * unpinned or released. The registry's row is the truth: this node's engine takes the pin stored there, else
     * the tier stored there ({@link TrustEngine#adopt}: its own counters stay, nothing is recorded again), so the
     * newest decision of any node is the tier every node serves the device at. A device this engine has not seen
     * yet gets a state now, so its first request here is decided at that tier. An operator's release clears this
     * engine's signals and verdicts too (else what this node counted before would lower the device again at its next
     * request here). Nothing for a device that is decommissioned or gone.
     *
     * @param released whether the change was an operator's release
     */
    public void follow(String name, boolean released) {
        Optional<Long> id = devices.idOf(name);
        if (id.isEmpty() || devices.show(name).device().state() == DeviceState.DECOMMISSIONED) {
            return;
        }
        Optional<TrustStore.Stored> stored = store.tierOf(id.get());
        if (stored.isEmpty()) {
            return;
        }
        DeviceTrust state = state(name);
        if (released) {
            engine.release(state, clock.millis()); // an operator's change: the listener records nothing
        }
        if (followStored(state, stored.get().tier(), stored.get().pinned()) || released) {
            LOG.debug("trust: {} follows the registry: tier {} pinned {}", name, engine.tier(state),
                    state.pinnedTier());
            tell(state.deviceId());
        }
    }

    /**
     * The change feed lost track of what changed: every device this engine remembers takes the pin and tier the
     * registry holds ({@link #follow}), and a device decommissioned meanwhile is forgotten.
     */
    public void followAll() {
        Map<Long, TrustStore.Stored> stored = store.tiers();
        List<Long> remembered = new ArrayList<>();
        engine.forEachDevice(d -> remembered.add(d.deviceId()));
        for (long id : remembered) {
            TrustStore.Stored row = stored.get(id);
            DeviceTrust state = engine.find(id).orElse(null);
            if (row == null || state == null) {
                continue;
            }
            if (row.decommissioned()) {
                engine.forget(id);
            } else if (followStored(state, row.tier(), row.pinned())) {
                tell(id);
            }
        }
    }

    /** Makes the engine's pin and tier of a device those stored; whether either changed. */
    private boolean followStored(DeviceTrust state, TrustTier tier, TrustTier pinned) {
        boolean changed = false;
        if (state.pinnedTier() != pinned) {
            engine.pin(state, clock.millis(), pinned);
            changed = true;
        }
        return engine.adopt(state, clock.millis(), tier) || changed;
    }

    private void audited(DeviceTrust state, Actor actor, String action, String what) {
        long now = clock.millis();
        String name = devices.nameOf(state.deviceId()).orElse("#" + state.deviceId());
        database.inTransaction(c -> {
            TrustStore.save(c, state.deviceId(), engine.tier(state), state.pinnedTier(), engine.score(state, now),
                    engine.export(state), Instant.ofEpochMilli(now));
            audit.append(c, actor, action, name, null, what + "; tier=" + engine.tier(state));
            return null;
        });
        events.record(action.equals("device.trust.release") ? "trust-released" : "trust-pinned", name,
                what + "; tier " + engine.tier(state));
        tell(state.deviceId());
    }

    private DeviceTrust state(String name) {
        DeviceRegistry.Details details = devices.show(name);
        if (details.device().state() == DeviceState.DECOMMISSIONED) {
            throw Refusal.conflict("device '" + name + "' is decommissioned");
        }
        long id = details.device().id();
        return engine.find(id).orElseGet(() -> engine.device(id, details.device().profile(),
                limits(details.device().profile())));
    }

    @Override
    public void changed(TrustChange change) {
        if (change.operator()) {
            return; // release and pin are audited by the operation itself
        }
        worker.execute(() -> {
            try {
                apply(change);
            } catch (RuntimeException e) {
                LOG.error("acting on a trust change failed: {}", change, e);
            }
        });
    }

    private void apply(TrustChange change) {
        Optional<String> found = devices.nameOf(change.deviceId());
        if (found.isEmpty()) {
            return;
        }
        String name = found.get();
        String causes = change.causes().stream().map(Contribution::toString).collect(Collectors.joining(", "));
        Instant at = Instant.ofEpochMilli(change.atMillis());
        DeviceTrust state = engine.find(change.deviceId()).orElse(null);
        database.inTransaction(c -> {
            if (state != null) {
                TrustStore.save(c, change.deviceId(), change.to(), state.pinnedTier(), change.score(),
                        engine.export(state), at);
            }
            audit.append(c, ENGINE, change.suspend() ? "device.trust.suspend" : "device.trust", name,
                    "tier=" + change.from(), "tier=" + change.to() + " score=" + change.score() + " signals: " + causes);
            return null;
        });
        events.record(eventType(change), name, change.from() + " -> " + change.to() + ", score " + change.score()
                + (causes.isEmpty() ? "" : ": " + causes));
        if (change.suspend()) {
            suspend(name, causes);
        }
        tell(change.deviceId());
    }

    private void tell(long deviceId) {
        for (java.util.function.LongConsumer listener : changes) {
            try {
                listener.accept(deviceId);
            } catch (RuntimeException e) {
                LOG.error("a listener of trust changes failed for device {}", deviceId, e);
            }
        }
    }

    private static String eventType(TrustChange change) {
        if (change.suspend()) {
            return change.causes().stream().anyMatch(c -> c.signal().name().equals("CLONE")) ? "clone-suspected"
                    : "trust-suspended";
        }
        return change.to().compareTo(change.from()) < 0 ? "trust-lowered" : "trust-restored";
    }

    private void suspend(String name, String causes) {
        try {
            LifecycleChange suspended = devices.change(name, Lifecycle.SUSPEND,
                    Actor.system("trust engine: " + causes));
            SessionControl cut = sessions;
            if (cut != null) {
                cut.terminate(suspended.keyIds());
            }
        } catch (Refusal e) {
            LOG.debug("trust: {} not suspended: {}", name, e.getMessage()); // already suspended or decommissioned
        }
    }

    /** How many devices the engine holds at each tier now (for metrics). */
    public java.util.Map<TrustTier, Long> tierCounts() {
        java.util.Map<TrustTier, Long> counts = new java.util.EnumMap<>(TrustTier.class);
        engine.forEachDevice(d -> counts.merge(engine.tier(d), 1L, Long::sum));
        return counts;
    }

    /** Finishes the changes under way and saves everything. */
    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        save();
    }
}
