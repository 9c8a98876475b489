package dev.vigil.provisioning.firmware;

import java.time.Instant;
import java.util.List;

/**
 * A rollout of one published image to the devices of one profile, in waves of growing shares (percent of
 * the profile's devices, chosen deterministically by device id), with the counts of its current wave.
 */
public record Rollout(long id, long firmwareId, String version, String profile, List<Integer> waves, int wave,
        State state, double maxFailures, boolean haltOnAnomaly, String reason, Instant startedAt, Instant updatedAt,
        int assigned, int succeeded, int failed) {

    public enum State {
        RUNNING, PAUSED, HALTED, DONE, ABORTED;

        /** Whether devices are offered the image (a halted or aborted rollout offers it to nobody new). */
        boolean offering() {
            return this == RUNNING || this == PAUSED || this == DONE;
        }
    }
}
