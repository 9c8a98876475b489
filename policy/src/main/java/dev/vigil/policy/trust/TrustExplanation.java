package dev.vigil.policy.trust;

import dev.vigil.policy.TrustTier;
import java.util.List;
import java.util.Map;

/**
 * Why a device has the score and tier it has, for operators ({@code vigil device trust NAME}).
 *
 * @param pinned the tier an operator pinned, or null
 * @param suspendIssued whether a SUSPEND verdict was issued since the last release
 * @param contributions the signals taking points off the score now, largest first
 * @param recent the last tier changes and verdicts, newest first
 * @param baseline learned and cohort figures, in words, by name
 */
public record TrustExplanation(long deviceId, String profile, int score, TrustTier tier, TrustTier pinned,
        boolean suspendIssued, List<Contribution> contributions, List<Recent> recent, Map<String, String> baseline) {

    /**
     * One past tier change or verdict.
     *
     * @param atMillis to the second
     * @param cause the largest contribution then, or null for an operator's action
     */
    public record Recent(long atMillis, TrustTier to, boolean suspend, boolean operator, int score, TrustSignal cause) {
    }

    public TrustExplanation {
        contributions = List.copyOf(contributions);
        recent = List.copyOf(recent);
        baseline = Map.copyOf(baseline);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        text.append("device ").append(deviceId).append(" (").append(profile).append("): score ").append(score)
                .append(", ").append(tier);
        if (pinned != null) {
            text.append(" (pinned)");
        }
        if (suspendIssued) {
            text.append(", SUSPEND issued");
        }
        text.append('\n');
        text.append("  signals: ").append(contributions.isEmpty() ? "none" : contributions.toString()).append('\n');
        for (Recent r : recent) {
            text.append("  ").append(java.time.Instant.ofEpochMilli(r.atMillis())).append(" -> ").append(r.to())
                    .append(r.suspend() ? " SUSPEND" : "").append(r.operator() ? " by operator" : " score " + r.score()
                    + (r.cause() == null ? "" : ", mostly " + r.cause())).append('\n');
        }
        new java.util.TreeMap<>(baseline).forEach((k, v) -> text.append("  ").append(k).append(": ").append(v).append('\n'));
        return text.toString();
    }
}
