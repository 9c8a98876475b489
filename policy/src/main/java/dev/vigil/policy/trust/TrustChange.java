package dev.vigil.policy.trust;

import dev.vigil.policy.TrustTier;
import java.util.List;

/**
 * A device's tier changed, or the engine asks for it to be suspended, or both.
 *
 * @param from the tier before
 * @param to the tier now (equal to {@code from} when only a verdict or an operator action without a tier change)
 * @param suspend the SUSPEND verdict: a severe signal ({@link TrustSignal#severe()}) was seen; the server
 *        should suspend the device in the registry and cut its sessions
 * @param score the score after the observation, 0-100
 * @param causes the signals taking points off the score, largest first; empty for operator actions
 * @param atMillis the time of the observation that caused it (the caller's clock)
 * @param sequence per device, increasing by one with each change
 * @param operator whether an operator's release or pin caused it
 */
public record TrustChange(long deviceId, String profile, TrustTier from, TrustTier to, boolean suspend, int score,
        List<Contribution> causes, long atMillis, int sequence, boolean operator) {

    public TrustChange {
        causes = List.copyOf(causes);
    }

    @Override
    public String toString() {
        return "device " + deviceId + " (" + profile + ") " + from + " -> " + to + (suspend ? " SUSPEND" : "")
                + " score " + score + (operator ? " by operator" : " " + causes) + " #" + sequence;
    }
}
