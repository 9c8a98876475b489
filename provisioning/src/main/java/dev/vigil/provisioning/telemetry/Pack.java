package dev.vigil.provisioning.telemetry;

import java.util.List;

/**
 * One device's readings as one POST brought them, already checked: stored whole or not at all. {@code firstSeq}
 * is the first reading's number for a numbered pack ({@code /t?s=N}), null for an unnumbered one.
 */
public record Pack(long deviceId, java.time.Instant receivedAt, List<Reading> readings, Long firstSeq) {

    public Pack {
        readings = List.copyOf(readings);
    }
}
