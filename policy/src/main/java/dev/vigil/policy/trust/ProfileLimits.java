package dev.vigil.policy.trust;

import dev.vigil.policy.DeviceProfile;
import dev.vigil.policy.SendRule;

/**
 * What a device profile declares, as the trust engine uses it before the profile's cohort is large enough
 * to compare with: the first guess at a new device's baseline, and the ceiling of its rate.
 *
 * @param requestsPerSecond sustained requests per second over all send rules, above 0
 * @param maxPayload largest payload of any send rule, in bytes, at least 1
 */
public record ProfileLimits(double requestsPerSecond, int maxPayload) {

    /** For a profile the caller knows nothing about: one request per second, 1 KiB. */
    public static final ProfileLimits UNKNOWN = new ProfileLimits(1, 1024);

    public ProfileLimits {
        if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException("requestsPerSecond must be above 0: " + requestsPerSecond);
        }
        if (maxPayload < 1) {
            throw new IllegalArgumentException("maxPayload must be at least 1: " + maxPayload);
        }
    }

    /** The sum of the send rules' rates and their largest payload; {@link #UNKNOWN} for a profile without rules. */
    public static ProfileLimits of(DeviceProfile profile) {
        double rate = 0;
        int payload = 0;
        for (SendRule rule : profile.send()) {
            rate += rule.rate().perSecond();
            payload = Math.max(payload, rule.maxPayload());
        }
        return rate > 0 && payload > 0 ? new ProfileLimits(rate, payload) : UNKNOWN;
    }
}
