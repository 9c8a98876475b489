package dev.vigil.policy.trust;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link FleetSimulation} measured: per attack, how many victims were contained (tier LIMITED or
 * lower, or a SUSPEND verdict) and how long after the attack started; for the healthy fleet, the share of
 * device-days on which a device left TRUSTED.
 */
public record FleetReport(FleetSimulation.Config config, List<AttackResult> attacks, long healthyDeviceDays,
        long untrustedDeviceDays, Map<TrustSignal, Integer> falsePositiveCauses, long requests, long handshakes,
        int victimsRestrictedAtStart) {

    /**
     * @param seconds from attack start to containment, one per contained victim, sorted
     * @param secondsFromTruth for rate creep only: from the moment the creeping rate passed the fastest
     *        healthy device of its profile (ground truth, not the engine's ceiling); empty otherwise
     */
    public record AttackResult(FleetSimulation.Attack attack, int victims, int contained, List<Double> seconds,
            List<Double> secondsFromTruth) {

        public double p50() {
            return percentile(seconds, 0.50);
        }

        public double p99() {
            return percentile(seconds, 0.99);
        }

        public double max() {
            return seconds.isEmpty() ? Double.NaN : seconds.get(seconds.size() - 1);
        }
    }

    /** Share of healthy device-days that left TRUSTED at some point. */
    public double falsePositiveShare() {
        return healthyDeviceDays == 0 ? 0 : (double) untrustedDeviceDays / healthyDeviceDays;
    }

    public AttackResult attack(FleetSimulation.Attack attack) {
        return attacks.stream().filter(a -> a.attack() == attack).findFirst().orElseThrow();
    }

    /** Nearest-rank percentile of sorted values; NaN for none. */
    public static double percentile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(java.util.Locale.ROOT, "%d healthy devices x %d days, seed %d: %d requests, %d handshakes;"
                + " %d of %d device-days left TRUSTED (%.4f %%) %s", config.healthy(), config.days(), config.seed(),
                requests, handshakes, untrustedDeviceDays, healthyDeviceDays, 100 * falsePositiveShare(),
                falsePositiveCauses) + "; victims already restricted when attacked: " + victimsRestrictedAtStart);
        for (AttackResult a : attacks) {
            lines.add(String.format(java.util.Locale.ROOT, "%-20s %3d/%3d contained, p50 %8.1f s, p99 %8.1f s, max %8.1f s%s",
                    a.attack(), a.contained(), a.victims(), a.p50(), a.p99(), a.max(), a.secondsFromTruth().isEmpty()
                    ? "" : String.format(java.util.Locale.ROOT, " (from ground-truth exit: p50 %.1f h, p99 %.1f h)",
                            percentile(a.secondsFromTruth(), 0.5) / 3600, percentile(a.secondsFromTruth(), 0.99) / 3600)));
        }
        return String.join("\n", lines);
    }
}
