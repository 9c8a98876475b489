package dev.vigil.policy.trust;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the trust engine can be tuned by; immutable. {@link #defaults()} are the values the
 * evaluation ({@code scripts/bench trust}) measured; each is documented at its component.
 *
 * @param weights points each signal takes off the score at full strength
 * @param limitedBelow a TRUSTED device whose score falls below this becomes LIMITED (default 70)
 * @param quarantinedBelow a device whose score falls below this becomes QUARANTINED (default 30)
 * @param recoverAtOrAbove a LIMITED device becomes TRUSTED again once its score has stayed at or above
 *        this for {@code cleanPeriod} (default 85): the hysteresis between 70 and 85 keeps a device
 *        from flapping
 * @param cleanPeriod how long a LIMITED device must score at or above {@code recoverAtOrAbove} to recover
 *        on its own (default 1 h); QUARANTINED devices never recover on their own
 * @param rateTolerance requests beyond the device's own baseline, in a run of early requests, that cost
 *        nothing (default 1.25); the RATE signal grows from there to full strength one request later
 * @param volumeTolerance payloads beyond the device's own baseline, in mean-sized payloads on top of three
 *        standard deviations, that cost nothing (default 2); VOLUME grows to full strength two payloads later
 * @param otherRequestTolerance requests to resources other than the device's main one, within about
 *        {@code eventMemory} each, that cost nothing (default 3: a firmware check, download and status)
 * @param cohortMargin how far above the fastest 1 % of its cohort a device's rate may be before
 *        COHORT_RATE (default 1.25)
 * @param minCohort devices that must have contributed to a profile's cohort before it is compared with
 *        (default 20); below that the declared limits stand in
 * @param warmupRequests requests a new (or released) device learns from before its own baseline is
 *        trusted (default 8); meanwhile it is compared with its cohort and its declared limits
 * @param learningRate weight of each new observation in the learned rate and size (default 1/16)
 * @param scheduleMaturity how long a device must have been watched before its own hours of the week
 *        replace its cohort's (default 8 days)
 * @param eventMemory one event of each counted signal (off-schedule requests, denials, requests to other
 *        resources, handshake failures, suspended-key refusals) is forgotten per this time (default 10 min)
 * @param churnMemory one address change, or one never-used resource, is forgotten per this time (default 1 h)
 * @param offScheduleSaturation off-schedule requests at which SCHEDULE is at full strength (default 3)
 * @param denialSaturation refused requests at which DENIALS is at full strength (default 5)
 * @param scanSaturation distinct refused resources at which SCANNING is at full strength (default 4)
 * @param failureSaturation failed handshakes at which HANDSHAKE_FAILURES is at full strength (default 3)
 * @param stuffingFailures failed handshakes remembered at once that are CREDENTIAL_STUFFING (default 5)
 * @param churnTolerance address changes remembered at once that cost nothing (default 6); ADDRESS_CHURN
 *        reaches full strength at twice this
 * @param bankCap most queued requests a device may flush after being offline without counting against
 *        its rate (default 1440: a day at one a minute)
 */
public record TrustSettings(Weights weights, int limitedBelow, int quarantinedBelow, int recoverAtOrAbove,
        Duration cleanPeriod, double rateTolerance, double volumeTolerance, int otherRequestTolerance,
        double cohortMargin, int minCohort, int warmupRequests, double learningRate, Duration scheduleMaturity,
        Duration eventMemory, Duration churnMemory, int offScheduleSaturation, int denialSaturation,
        int scanSaturation, int failureSaturation, int stuffingFailures, int churnTolerance, int bankCap) {

    /**
     * Points each signal takes off the score (of 100) at full strength, 0-100 each. Severe signals have
     * no weight: they take the score to 0.
     *
     * @param rate default 45: alone, LIMITED
     * @param volume default 45: alone, LIMITED
     * @param cohortRate default 45: alone, LIMITED
     * @param schedule default 40: alone, LIMITED
     * @param newResource default 10: never alone
     * @param denials default 30: with anything else, LIMITED
     * @param scanning default 45: alone, LIMITED; with the denials it comes with, QUARANTINED
     * @param handshakeFailures default 30
     * @param suspendedKey default 20
     * @param addressChurn default 15
     * @param firmware default 75: alone, QUARANTINED (remediation only: the firmware service stays open)
     * @param offGateway default 45, at full strength after {@code failureSaturation} sessions off the gateway:
     *        alone, LIMITED (a relay child still served)
     * @param gatewayExcess default 75, at full strength after {@code denialSaturation} requests beyond the
     *        children's aggregate: alone, QUARANTINED (the gateway then speaks for no child)
     */
    public record Weights(int rate, int volume, int cohortRate, int schedule, int newResource, int denials,
            int scanning, int handshakeFailures, int suspendedKey, int addressChurn, int firmware, int offGateway,
            int gatewayExcess) {

        public static final Weights DEFAULTS = new Weights(45, 45, 45, 40, 10, 30, 45, 30, 20, 15, 75, 45, 75);

        public Weights {
            points("rate", rate);
            points("volume", volume);
            points("cohortRate", cohortRate);
            points("schedule", schedule);
            points("newResource", newResource);
            points("denials", denials);
            points("scanning", scanning);
            points("handshakeFailures", handshakeFailures);
            points("suspendedKey", suspendedKey);
            points("addressChurn", addressChurn);
            points("firmware", firmware);
            points("offGateway", offGateway);
            points("gatewayExcess", gatewayExcess);
        }

        /** The weight of a non-severe signal; 100 for a severe one. */
        public int of(TrustSignal signal) {
            switch (signal) {
                case RATE: return rate;
                case VOLUME: return volume;
                case COHORT_RATE: return cohortRate;
                case SCHEDULE: return schedule;
                case NEW_RESOURCE: return newResource;
                case DENIALS: return denials;
                case SCANNING: return scanning;
                case HANDSHAKE_FAILURES: return handshakeFailures;
                case SUSPENDED_KEY: return suspendedKey;
                case ADDRESS_CHURN: return addressChurn;
                case FIRMWARE: return firmware;
                case OFF_GATEWAY: return offGateway;
                case GATEWAY_EXCESS: return gatewayExcess;
                default: return 100;
            }
        }

        private static void points(String name, int value) {
            if (value < 0 || value > 100) {
                throw new IllegalArgumentException("weights." + name + " must be 0-100: " + value);
            }
        }
    }

    private static final TrustSettings DEFAULTS = new TrustSettings(Weights.DEFAULTS, 70, 30, 85, Duration.ofHours(1),
            0.35, 2.0, 3, 1.25, 20, 8, 1.0 / 16, Duration.ofDays(8), Duration.ofMinutes(10), Duration.ofHours(1),
            3, 5, 4, 3, 5, 6, 1440);

    public TrustSettings {
        Objects.requireNonNull(weights, "weights");
        if (quarantinedBelow < 0 || quarantinedBelow >= limitedBelow || limitedBelow > recoverAtOrAbove
                || recoverAtOrAbove > 100) {
            throw new IllegalArgumentException("tier thresholds must satisfy 0 <= quarantinedBelow < limitedBelow"
                    + " <= recoverAtOrAbove <= 100: " + quarantinedBelow + ", " + limitedBelow + ", " + recoverAtOrAbove);
        }
        positive("cleanPeriod", cleanPeriod, true);
        positive("scheduleMaturity", scheduleMaturity, true);
        positive("eventMemory", eventMemory, false);
        positive("churnMemory", churnMemory, false);
        atLeast("rateTolerance", rateTolerance, 0);
        atLeast("volumeTolerance", volumeTolerance, 0);
        atLeast("otherRequestTolerance", otherRequestTolerance, 0);
        atLeast("cohortMargin", cohortMargin, 1);
        atLeast("minCohort", minCohort, 1);
        atLeast("warmupRequests", warmupRequests, 2);
        if (!(learningRate > 0 && learningRate <= 0.5)) {
            throw new IllegalArgumentException("learningRate must be above 0 and at most 0.5: " + learningRate);
        }
        atLeast("offScheduleSaturation", offScheduleSaturation, 1);
        atLeast("denialSaturation", denialSaturation, 1);
        atLeast("scanSaturation", scanSaturation, 2);
        atLeast("failureSaturation", failureSaturation, 1);
        atLeast("stuffingFailures", stuffingFailures, 1);
        atLeast("churnTolerance", churnTolerance, 1);
        atLeast("bankCap", bankCap, 0);
    }

    /** The documented defaults. */
    public static TrustSettings defaults() {
        return DEFAULTS;
    }

    public TrustSettings withWeights(Weights weights) {
        return new TrustSettings(weights, limitedBelow, quarantinedBelow, recoverAtOrAbove, cleanPeriod, rateTolerance,
                volumeTolerance, otherRequestTolerance, cohortMargin, minCohort, warmupRequests, learningRate,
                scheduleMaturity, eventMemory, churnMemory, offScheduleSaturation, denialSaturation, scanSaturation,
                failureSaturation, stuffingFailures, churnTolerance, bankCap);
    }

    public TrustSettings withTiers(int limitedBelow, int quarantinedBelow, int recoverAtOrAbove, Duration cleanPeriod) {
        return new TrustSettings(weights, limitedBelow, quarantinedBelow, recoverAtOrAbove, cleanPeriod, rateTolerance,
                volumeTolerance, otherRequestTolerance, cohortMargin, minCohort, warmupRequests, learningRate,
                scheduleMaturity, eventMemory, churnMemory, offScheduleSaturation, denialSaturation, scanSaturation,
                failureSaturation, stuffingFailures, churnTolerance, bankCap);
    }

    public TrustSettings withCohort(int minCohort, double cohortMargin) {
        return new TrustSettings(weights, limitedBelow, quarantinedBelow, recoverAtOrAbove, cleanPeriod, rateTolerance,
                volumeTolerance, otherRequestTolerance, cohortMargin, minCohort, warmupRequests, learningRate,
                scheduleMaturity, eventMemory, churnMemory, offScheduleSaturation, denialSaturation, scanSaturation,
                failureSaturation, stuffingFailures, churnTolerance, bankCap);
    }

    private static void positive(String name, Duration value, boolean zeroAllowed) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || !zeroAllowed && value.isZero()) {
            throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "0 or more" : "above 0") + ": " + value);
        }
    }

    private static void atLeast(String name, double value, double minimum) {
        if (!(value >= minimum) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be at least " + (minimum == (long) minimum
                    ? Long.toString((long) minimum) : Double.toString(minimum)) + ": " + value);
        }
    }
}
