package dev.vigil.provisioning.store;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A read-through cache of the registry by key id, safe against the race of a load that started before
 * a commit finishing after its invalidation: a load is cached only if no invalidation happened while it
 * ran (checked atomically with the key's entry). Absent values are never cached, so random unknown keys
 * cannot grow it.
 */
public final class DirectoryCache<V> {

    private final Map<String, V> entries = new ConcurrentHashMap<>();
    private final AtomicLong invalidations = new AtomicLong();
    private final Function<String, Optional<V>> loader;

    public DirectoryCache(Function<String, Optional<V>> loader) {
        this.loader = loader;
    }

    public Optional<V> get(String key) {
        V cached = entries.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        long generation = invalidations.get();
        Optional<V> loaded = loader.apply(key);
        loaded.ifPresent(value -> entries.compute(key,
                (k, current) -> current != null ? current : invalidations.get() == generation ? value : null));
        return loaded;
    }

    /** Forgets every entry (changes the registry made while this node could not follow them). */
    public void invalidateAll() {
        invalidations.incrementAndGet();
        entries.clear();
    }

    /** Call after the commit of any change to {@code key}. */
    public void invalidate(String key) {
        entries.compute(key, (k, current) -> {
            invalidations.incrementAndGet();
            return null;
        });
    }
}
