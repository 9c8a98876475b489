package dev.vigil.server;

import dev.vigil.policy.DeviceProfile;
import dev.vigil.policy.PolicyEngine;
import dev.vigil.policy.TrustTier;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.devices.DeviceState;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** Where a caller stands in the lifecycle, and so which resources it may reach before policy is asked. */
enum Standing {
    /** An unknown key: enrollment only. */
    UNKNOWN(Set.of("enroll"), TrustTier.QUARANTINED),
    /** Enrolled or imported, not yet active: nothing. */
    PENDING(Set.of(), TrustTier.QUARANTINED),
    /** Quarantined, or its key is older than its profile's maximum key age: remediation only. */
    RESTRICTED(Set.of("key"), TrustTier.QUARANTINED),
    /** What its profile allows. */
    ACTIVE(null, TrustTier.TRUSTED);

    private final Set<String> only;
    private final TrustTier tier;

    Standing(Set<String> only, TrustTier tier) {
        this.only = only;
        this.tier = tier;
    }

    boolean reaches(String resource) {
        return only == null ? !"enroll".equals(resource) : only.contains(resource);
    }

    /** The trust tier requests from this standing are decided at (until the trust engine sets it). */
    TrustTier tier() {
        return tier;
    }

    static Standing of(Optional<DeviceIdentity> identity, PolicyEngine policy, long nowMillis) {
        if (identity.isEmpty()) {
            return UNKNOWN;
        }
        DeviceIdentity device = identity.get();
        if (device.state() == DeviceState.QUARANTINED) {
            return RESTRICTED;
        }
        if (!device.isTrusted()) {
            return PENDING;
        }
        Duration maxKeyAge = policy.profile(device.profile()).map(DeviceProfile::maxKeyAge).orElse(null);
        if (maxKeyAge != null && device.keyActivatedAt() != null
                && nowMillis - device.keyActivatedAt().toEpochMilli() > maxKeyAge.toMillis()) {
            return RESTRICTED;
        }
        return ACTIVE;
    }
}
