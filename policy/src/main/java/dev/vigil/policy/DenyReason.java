package dev.vigil.policy;

/**
 * Why a request was refused. Stable codes for audit lines and the trust engine; the peer only ever
 * sees 4.03 (or 4.29 for {@link #RATE_LIMITED}).
 */
public enum DenyReason {
    /** The device's profile is not in the running policy. */
    UNKNOWN_PROFILE,
    /** The operator's role is not in the running policy. */
    UNKNOWN_ROLE,
    /** No send rule for this resource. */
    RESOURCE_NOT_ALLOWED,
    METHOD_NOT_ALLOWED,
    CONTENT_FORMAT_NOT_ALLOWED,
    PAYLOAD_TOO_LARGE,
    /** The device's trust tier is below what the profile (or the action) needs. */
    TRUST_TIER_TOO_LOW,
    /** The profile has a minimum firmware and the device's version is not known yet. */
    FIRMWARE_UNKNOWN,
    FIRMWARE_TOO_OLD,
    /** Outside every schedule window of the profile. */
    OUTSIDE_SCHEDULE,
    /** Today's byte allowance of the send rule is used up; it resets at midnight in the profile's zone. */
    DAILY_VOLUME_EXCEEDED,
    /** The send rule's token bucket is empty; see {@link Decision#retryAfterSeconds()}. */
    RATE_LIMITED,
    SERVICE_NOT_ALLOWED,
    COMMAND_NOT_ALLOWED,
    OPERATION_NOT_ALLOWED
}
