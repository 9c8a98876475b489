package dev.vigil.policy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * One principal as the policy engine knows it: its profile or role, its send rules' token buckets and
 * daily volumes, and how often it was refused. The enforcement point keeps the subject of each live
 * session and passes it to every decision, so deciding never looks a principal up.
 *
 * <p>Lock-free and compact: counters change by compare-and-set, and the first send rule's counters sit
 * in the subject itself, so an allowed request touches one object of 72 bytes (plus an array of 16
 * bytes per further rule). What the profile means is shared with every subject of the same profile.
 */
public final class Subject {

    /** Devices have profiles, operators have roles; the two never stand in for each other. */
    public enum Kind { DEVICE, OPERATOR }

    private static final VarHandle BINDING;
    private static final VarHandle ARRIVAL;
    private static final VarHandle VOLUME;
    private static final VarHandle DENIALS;
    private static final VarHandle RATE_LIMITED;
    private static final VarHandle EXTRA;
    private static final VarHandle EXTRA_SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long[] NONE = new long[0];

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BINDING = lookup.findVarHandle(Subject.class, "binding", Binding.class);
            ARRIVAL = lookup.findVarHandle(Subject.class, "arrival", long.class);
            VOLUME = lookup.findVarHandle(Subject.class, "volume", long.class);
            DENIALS = lookup.findVarHandle(Subject.class, "denials", long.class);
            RATE_LIMITED = lookup.findVarHandle(Subject.class, "rateLimited", long.class);
            EXTRA = lookup.findVarHandle(Subject.class, "extra", long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long principalId;
    private final Kind kind;
    private final String profileOrRole;
    private volatile Binding binding;
    /** Slots 0 and 1: the first send rule's bucket and volume. */
    private volatile long arrival;
    private volatile long volume;
    /** Slots 2 and up; grows, never shrinks, before a binding that needs it is published. */
    private volatile long[] extra = NONE;
    private volatile long denials;
    private volatile long rateLimited;

    Subject(long principalId, Kind kind, String profileOrRole, CompiledPolicy policy) {
        this.principalId = principalId;
        this.kind = kind;
        this.profileOrRole = profileOrRole;
        Binding initial = policy.binding(kind, profileOrRole);
        reserve(initial.slots());
        this.binding = initial;
    }

    /** The registry id of the device or operator. */
    public long principalId() {
        return principalId;
    }

    public Kind kind() {
        return kind;
    }

    /** The name of the device's profile or the operator's role. */
    public String profileOrRole() {
        return profileOrRole;
    }

    /** Requests refused since this subject was created, not counting {@link #rateLimited()} ones. */
    public long denials() {
        return denials;
    }

    /** Requests refused for their rate since this subject was created. */
    public long rateLimited() {
        return rateLimited;
    }

    /**
     * The binding in {@code policy}, switched to on first use after an apply. A subject already bound to a
     * newer policy than a late in-flight request read keeps that binding.
     */
    Binding bindingFor(CompiledPolicy policy) {
        Binding current = binding;
        while (current.policy != policy && current.policy.version() < policy.version()) {
            Binding next = policy.binding(kind, profileOrRole);
            reserve(next.slots());
            if (BINDING.compareAndSet(this, current, next)) {
                return next;
            }
            current = binding;
        }
        return current;
    }

    long slot(int slot) {
        switch (slot) {
            case 0: return (long) ARRIVAL.getVolatile(this);
            case 1: return (long) VOLUME.getVolatile(this);
            default: return (long) EXTRA_SLOT.getVolatile(extra, slot - 2);
        }
    }

    boolean compareAndSetSlot(int slot, long expected, long value) {
        switch (slot) {
            case 0: return ARRIVAL.compareAndSet(this, expected, value);
            case 1: return VOLUME.compareAndSet(this, expected, value);
            default: return EXTRA_SLOT.compareAndSet(extra, slot - 2, expected, value);
        }
    }

    void record(Decision decision) {
        VarHandle counter = decision.rateLimited() ? RATE_LIMITED : DENIALS;
        counter.getAndAdd(this, 1L);
    }

    /** Whether forgetting this subject loses nothing: every bucket full, no volume counted today. */
    boolean atRest(long nowMillis) {
        return binding.atRest(this, nowMillis);
    }

    /** Makes room for {@code slots}; an update racing with the copy may be lost, only during an apply. */
    private void reserve(int slots) {
        while (true) {
            long[] current = extra;
            if (slots - 2 <= current.length) {
                return;
            }
            long[] grown = new long[slots - 2];
            for (int i = 0; i < current.length; i++) {
                grown[i] = (long) EXTRA_SLOT.getVolatile(current, i);
            }
            if (EXTRA.compareAndSet(this, current, grown)) {
                return;
            }
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + " " + principalId + " (" + profileOrRole + ")";
    }
}
