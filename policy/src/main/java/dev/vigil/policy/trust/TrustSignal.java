package dev.vigil.policy.trust;

/**
 * What the trust engine watches for. Each signal has a weight in {@link TrustSettings.Weights}: the
 * points it takes off the score of 100 at full strength. The last three are severe: any one of them
 * takes the score to 0 and issues a SUSPEND verdict ({@link TrustChange#suspend()}).
 */
public enum TrustSignal {
    /** Requests to the device's main resource well above its own learned rate, or a burst of requests to its other resources. */
    RATE,
    /** Payload bytes well above the device's own learned volume (offline flushes excepted). */
    VOLUME,
    /** The device's learned rate is above its profile cohort's healthy range (or the declared rate, for a small cohort). */
    COHORT_RATE,
    /** Requests outside the learned (or, for a young device, the cohort's) hours of the week, or refused as outside the declared schedule. */
    SCHEDULE,
    /** Allowed requests to resources the device had never used. */
    NEW_RESOURCE,
    /** Requests the policy refused (not counting refusals for the device's own trust tier or firmware). */
    DENIALS,
    /** Refused requests to several distinct resources: probing what the profile allows. */
    SCANNING,
    /** Handshakes that presented the device's key without proving possession of it. */
    HANDSHAKE_FAILURES,
    /** Handshakes refused because the device is suspended. */
    SUSPENDED_KEY,
    /** The device's source address changing unusually often. */
    ADDRESS_CHURN,
    /** The device reported firmware that is not the image assigned to it. */
    FIRMWARE,
    /** A relay child's DTLS session came from an address other than its gateway's live session (or its gateway had none). */
    OFF_GATEWAY,
    /** A gateway spoke for its proxied children beyond what their profiles allow together (each request over). */
    GATEWAY_EXCESS,
    /** The device's key live in two DTLS sessions from different addresses at once. */
    CLONE,
    /** Many handshakes with the device's key that failed to prove possession, within seconds. */
    CREDENTIAL_STUFFING,
    /** A retired or revoked key of this (living) device presented at a handshake. */
    TOMBSTONED_KEY;

    /** Whether this signal alone suspends the device. */
    public boolean severe() {
        return this == CLONE || this == CREDENTIAL_STUFFING || this == TOMBSTONED_KEY;
    }
}
