package dev.vigil.provisioning.telemetry;

import java.time.Instant;

/** A reading as stored: which device sent it and when the server received it. */
public record StoredReading(long id, String device, Instant receivedAt, Reading reading) {
}
