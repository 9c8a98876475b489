package dev.vigil.provisioning.commands;

import java.time.Instant;

/**
 * A command for one device: its name as the device's profile lists it, arguments as a JSON object text,
 * where it is, and the device's result once it has one.
 */
public record Command(long id, long deviceId, String device, String name, String args, CommandState state,
        Instant createdAt, String createdBy, Instant expiresAt, Instant deliveredAt, Instant completedAt,
        String result) {
}
