package dev.vigil.server;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per source address, bounded: at most {@code maxAddresses} buckets, the least recently
 * used dropped first. Used only to slow down guessing at unauthenticated entry points.
 */
final class AddressRateLimiter {

    private final double perSecond;
    private final int burst;
    private final Map<InetAddress, double[]> buckets;

    AddressRateLimiter(double perSecond, int burst, int maxAddresses) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.buckets = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, double[]> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    /** 0 if a request from {@code address} may go ahead now, else the seconds to wait. */
    synchronized long acquire(InetAddress address) {
        long now = System.nanoTime();
        double[] bucket = buckets.computeIfAbsent(address, a -> new double[] {burst, now});
        double tokens = Math.min(burst, bucket[0] + (now - bucket[1]) / 1e9 * perSecond);
        bucket[1] = now;
        if (tokens >= 1) {
            bucket[0] = tokens - 1;
            return 0;
        }
        bucket[0] = tokens;
        return (long) Math.ceil((1 - tokens) / perSecond);
    }
}
