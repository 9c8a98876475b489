package dev.vigil.server;

import dev.vigil.policy.DeviceProfile;
import dev.vigil.policy.PolicyEngine;
import dev.vigil.policy.SendRule;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.gateways.Child;
import dev.vigil.provisioning.gateways.ChildMode;
import dev.vigil.provisioning.trust.TrustRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A gateway's aggregate, watched: every request a gateway makes for its proxied children ({@code POST /gw/{child}/t},
 * allowed or not) takes a token from a bucket of the gateway's whose rate and burst are the sums of its ACTIVE
 * proxied children's own {@code t} rules. Each child is rate-limited on its own already; this catches the gateway
 * that speaks for them faster than they ever could together (hammering one child, cycling through all of them).
 * Each request beyond the aggregate is the trust engine's {@code GATEWAY_EXCESS} signal against the gateway (five
 * within its event memory: QUARANTINED, and then it speaks for no child) and a {@code gateway-excess} event (at most
 * one a second per gateway). The sums are read from the registry at a gateway's first proxied request and again
 * after {@value #REFRESH_MS} ms.
 */
final class GatewayAggregate {

    static final long REFRESH_MS = 30_000;
    private static final long EVENT_EVERY_MS = 1_000;

    private final Registry registry;
    private final TrustRegistry trust;
    private final Map<Long, Bucket> buckets = new ConcurrentHashMap<>();

    /** @param trust the trust engine's registry, or null (the gate's trust-off baseline): excess is then an event only */
    GatewayAggregate(Registry registry, TrustRegistry trust) {
        this.registry = registry;
        this.trust = trust;
    }

    /** Counts one request {@code gateway} makes for a proxied child; false (and a signal) if beyond the aggregate. */
    boolean spend(DeviceIdentity gateway, long now) {
        Bucket bucket = buckets.compute(gateway.deviceId(), (id, old) -> old != null && now - old.computedAt < REFRESH_MS
                ? old : new Bucket(limits(gateway.name()), old, now));
        boolean within;
        boolean event;
        synchronized (bucket) {
            within = bucket.take(now);
            event = !within && now - bucket.lastEventMs >= EVENT_EVERY_MS;
            if (event) {
                bucket.lastEventMs = now;
            }
        }
        if (!within) {
            if (trust != null) {
                trust.engine().onGatewayExcess(trust.stateOf(gateway), now);
            }
            if (event) {
                registry.events().record("gateway-excess", gateway.name(), "speaking for its proxied children beyond"
                        + " their aggregate (" + bucket.perSecond + "/s, burst " + bucket.burst + ")");
            }
        }
        return within;
    }

    /** The sums of the ACTIVE proxied children's {@code t} rates and bursts: {perSecond, burst}. */
    private double[] limits(String gateway) {
        PolicyEngine policy = registry.policy();
        double perSecond = 0;
        double burst = 0;
        for (Child child : registry.gateways().children(gateway)) {
            if (child.mode() != ChildMode.PROXY || child.state() != DeviceState.ACTIVE) {
                continue;
            }
            for (SendRule rule : policy.profile(child.profile()).map(DeviceProfile::send).orElse(java.util.List.of())) {
                if (rule.resource().equals("t")) {
                    perSecond += rule.rate().perSecond();
                    burst += rule.rate().burst();
                }
            }
        }
        return new double[] {perSecond, burst};
    }

    /** One gateway's bucket; a refresh keeps the tokens it had (at most the new burst). */
    private static final class Bucket {
        final double perSecond;
        final double burst;
        final long computedAt;
        double tokens;
        long lastMs;
        long lastEventMs = Long.MIN_VALUE / 2;

        Bucket(double[] limits, Bucket old, long now) {
            perSecond = limits[0];
            burst = limits[1];
            computedAt = now;
            if (old == null) {
                tokens = burst;
                lastMs = now;
            } else {
                synchronized (old) {
                    tokens = Math.min(burst, old.tokens);
                    lastMs = old.lastMs;
                    lastEventMs = old.lastEventMs;
                }
            }
        }

        boolean take(long now) {
            tokens = Math.min(burst, tokens + Math.max(0, now - lastMs) / 1000.0 * perSecond);
            lastMs = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
