package dev.vigil.policy;

/**
 * What the enforcement point knows about one request, as primitives, so deciding needs no parsing and
 * no clock of its own. Only {@link Action#SEND} uses every field; the other actions read
 * {@code nowMillis}, {@code tier} and {@code firmware} at most.
 *
 * @param nowMillis the caller's clock, epoch milliseconds
 * @param method the CoAP method
 * @param contentFormat the Content-Format option, or {@link #NO_CONTENT_FORMAT}
 * @param payloadSize payload bytes (the whole body for block-wise transfers, if known)
 * @param tier the device's current trust tier
 * @param firmware the device's firmware version as {@link FirmwareVersion#parse(String)} returns it, or
 *        {@link FirmwareVersion#UNKNOWN}
 */
public record RequestFacts(long nowMillis, Method method, int contentFormat, int payloadSize, TrustTier tier,
        long firmware) {

    /** The request carries no Content-Format option. */
    public static final int NO_CONTENT_FORMAT = -1;

    public RequestFacts {
        if (method == null || tier == null) {
            throw new NullPointerException("method and tier are required");
        }
        if (contentFormat < NO_CONTENT_FORMAT || contentFormat > 0xFFFF) {
            throw new IllegalArgumentException("content format must be -1 (none) or 0-65535: " + contentFormat);
        }
        if (payloadSize < 0) {
            throw new IllegalArgumentException("payload size must not be negative: " + payloadSize);
        }
    }

    /** Facts for an operator's request, or any action that has no method, payload or firmware. */
    public static RequestFacts at(long nowMillis) {
        return new RequestFacts(nowMillis, Method.POST, NO_CONTENT_FORMAT, 0, TrustTier.TRUSTED, FirmwareVersion.UNKNOWN);
    }
}
