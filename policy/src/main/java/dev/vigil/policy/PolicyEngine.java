package dev.vigil.policy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The policy decision point: decides each request against the running {@link CompiledPolicy} in
 * constant time, whatever the number of principals, profiles or rules, without locks and, when it
 * allows, without allocating. {@link #apply(CompiledPolicy)} swaps the policy atomically: decisions
 * under way finish on the old one, later ones see the new one, and subjects rebind on their next use.
 *
 * <p>Subjects are remembered per principal id (devices and operators apart, as their ids are separate)
 * up to {@code maxSubjects} each. Beyond that a subject is still handed out but not remembered;
 * {@link #evictIdle(long)}, called periodically, drops the remembered ones whose state equals a fresh
 * subject's (full buckets, no volume today), and {@link #forgetDevice(long)} drops a decommissioned one.
 * Forgetting loses the subject's {@link Subject#denials()} count, so read it first if it matters.
 */
public final class PolicyEngine {

    private final AtomicReference<CompiledPolicy> current;
    private final SubjectCache devices;
    private final SubjectCache operators;

    public PolicyEngine(CompiledPolicy initial, int maxSubjects) {
        if (maxSubjects < 1) {
            throw new IllegalArgumentException("maxSubjects must be at least 1: " + maxSubjects);
        }
        this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
        this.devices = new SubjectCache(Subject.Kind.DEVICE, maxSubjects);
        this.operators = new SubjectCache(Subject.Kind.OPERATOR, maxSubjects);
    }

    /** Puts {@code next} into effect if it is newer than the running policy; false if it is not. */
    public boolean apply(CompiledPolicy next) {
        Objects.requireNonNull(next, "next");
        while (true) {
            CompiledPolicy running = current.get();
            if (next.version() <= running.version()) {
                return false;
            }
            if (current.compareAndSet(running, next.alignedWith(running))) {
                return true;
            }
        }
    }

    /** The device's subject: the remembered one if it has this profile, else a fresh one for it. */
    public Subject device(long deviceId, String profile) {
        return devices.get(deviceId, Objects.requireNonNull(profile, "profile"), current.get());
    }

    /** The operator's subject: the remembered one if it has this role, else a fresh one for it. */
    public Subject operator(long operatorId, String role) {
        return operators.get(operatorId, Objects.requireNonNull(role, "role"), current.get());
    }

    /** Drops the device's remembered state, for decommissioning. */
    public void forgetDevice(long deviceId) {
        devices.forget(deviceId);
    }

    public void forgetOperator(long operatorId) {
        operators.forget(operatorId);
    }

    /** Drops every remembered subject that is at rest at {@code nowMillis}; returns how many. */
    public int evictIdle(long nowMillis) {
        return devices.evictIdle(nowMillis) + operators.evictIdle(nowMillis);
    }

    /** Remembered device and operator subjects. */
    public int subjects() {
        return devices.size() + operators.size();
    }

    /**
     * Decides one request. Checks, in order: the grant (resource and method, format, size; command;
     * service; operation), the trust tier, the firmware minimum, the schedule, the daily volume, then
     * the rate. A token is taken and bytes are counted only for requests that pass everything else.
     * Conditions never apply to services. A profile with a minimum firmware refuses a device whose
     * version is {@link FirmwareVersion#UNKNOWN} with {@link DenyReason#FIRMWARE_UNKNOWN}.
     */
    public Decision decide(Subject subject, Action action, String resource, RequestFacts facts) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(facts, "facts");
        Decision decision = subject.bindingFor(current.get()).decide(action, resource, facts, subject);
        if (decision != Decision.ALLOW) {
            subject.record(decision);
        }
        return decision;
    }

    /**
     * Whether {@link #decide} could allow this at this tier: the grant and tier checks only, with no
     * rate, volume, schedule or firmware check and no counting. For filtering {@code /.well-known/core}.
     */
    public boolean permits(Subject subject, Action action, String resource, TrustTier tier) {
        return subject.bindingFor(current.get()).permits(action, Objects.requireNonNull(resource), tier);
    }

    /** The running policy. */
    public CompiledPolicy policy() {
        return current.get();
    }

    public long version() {
        return current.get().version();
    }

    public Optional<DeviceProfile> profile(String name) {
        return current.get().profile(name);
    }

    /** How long the profile's DTLS sessions may live; empty if the running policy has no such profile. */
    public Optional<Duration> sessionMaxLifetime(String profile) {
        return profile(profile).map(DeviceProfile::sessionMaxLifetime);
    }
}
