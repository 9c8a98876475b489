package dev.vigil.device.agent;

import java.util.Objects;

/** A queued measurement with its sequence number (1 or more, per device, never reused). */
public record QueuedReading(long seq, Measurement measurement) {

    public QueuedReading {
        if (seq < 1) {
            throw new IllegalArgumentException("a sequence number is 1 or more, not " + seq);
        }
        Objects.requireNonNull(measurement, "measurement");
    }
}
