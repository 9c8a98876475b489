package dev.vigil.policy.trust;

/**
 * How many points one signal takes off a device's score right now.
 *
 * @param points 0 to 100
 */
public record Contribution(TrustSignal signal, int points) {

    @Override
    public String toString() {
        return signal + " -" + points;
    }
}
