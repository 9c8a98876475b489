package dev.vigil.policy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Subjects of one kind by principal id, so a device that reconnects gets its counters back. Bounded:
 * at {@code capacity}, a new subject is still returned but not remembered, and
 * {@link #evictIdle(long)} makes room by dropping subjects at rest, which lose nothing by it.
 */
final class SubjectCache {

    private final Subject.Kind kind;
    private final int capacity;
    private final Map<Long, Subject> subjects = new ConcurrentHashMap<>();

    SubjectCache(Subject.Kind kind, int capacity) {
        this.kind = kind;
        this.capacity = capacity;
    }

    Subject get(long principalId, String profileOrRole, CompiledPolicy policy) {
        Subject known = subjects.get(principalId);
        if (known != null && known.profileOrRole().equals(profileOrRole)) {
            return known;
        }
        if (known == null && subjects.size() >= capacity) {
            return new Subject(principalId, kind, profileOrRole, policy);
        }
        return subjects.compute(principalId, (id, current) -> current != null
                && current.profileOrRole().equals(profileOrRole) ? current
                        : new Subject(principalId, kind, profileOrRole, policy));
    }

    void forget(long principalId) {
        subjects.remove(principalId);
    }

    int evictIdle(long nowMillis) {
        int evicted = 0;
        for (Map.Entry<Long, Subject> entry : subjects.entrySet()) {
            if (entry.getValue().atRest(nowMillis) && subjects.remove(entry.getKey(), entry.getValue())) {
                evicted++;
            }
        }
        return evicted;
    }

    int size() {
        return subjects.size();
    }
}
