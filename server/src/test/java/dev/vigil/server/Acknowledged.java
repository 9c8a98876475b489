package dev.vigil.server;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The telemetry batches each device was answered 2.04 for: what no crash may lose. */
final class Acknowledged {

    private final Map<String, Set<Integer>> batches = new ConcurrentHashMap<>();

    void add(String device, int batch) {
        batches.computeIfAbsent(device, d -> ConcurrentHashMap.newKeySet()).add(batch);
    }

    Set<Integer> of(String device) {
        return batches.getOrDefault(device, Set.of());
    }

    Map<String, Set<Integer>> all() {
        return batches;
    }
}
