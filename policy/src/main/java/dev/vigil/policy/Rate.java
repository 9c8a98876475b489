package dev.vigil.policy;

/**
 * A token bucket ({@code .../rate}): {@code burst} requests at once, refilled at {@code perSecond}.
 *
 * @param perSecond sustained requests per second, above 0 and at most 1,000,000 (0.5 is one every 2 s)
 * @param burst bucket size, at least 1
 */
public record Rate(double perSecond, int burst) {
}
