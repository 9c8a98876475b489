package dev.vigil.provisioning;

import java.time.Clock;
import java.time.Instant;

/** The provisioning side of one node, over one database: every store, wired once. */
public record Registry(Database database, AuditLog audit, DeviceRegistry devices, OperatorRegistry operators,
        TelemetryStore telemetry, EnrollmentTokens tokens, KeyRotation rotation, DeviceImporter importer,
        SecurityEvents events, ProfileRules profiles, Instant startedAt) {

    public static Registry open(Database database, ProfileRules profiles, Clock clock) {
        AuditLog audit = new AuditLog(database);
        DeviceRegistry devices = new DeviceRegistry(database, audit);
        return new Registry(database, audit, devices, new OperatorRegistry(database, audit),
                new TelemetryStore(database), new EnrollmentTokens(devices, profiles), new KeyRotation(devices, clock),
                new DeviceImporter(devices, profiles), new SecurityEvents(10_000), profiles, clock.instant());
    }
}
