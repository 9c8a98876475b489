-- Vigil registry, version 16 (H2): a reading's device is no longer checked by a foreign key on every insert.
-- H2 checked it per row, about 8 µs of the 20 µs an insert costs in a group commit (scripts/bench ingest and an
-- ad-hoc JDBC loop on 2.3.232); the telemetry writer is what limits ingest. Readings are written only by
-- TelemetryStore, for a device the node has just found in the registry, and device rows are never deleted
-- (a decommissioned device keeps its row), so no reading can point at no device. The index telemetry_device
-- (device_id, id), which every per-device query reads, stays. The constraint was declared inline in V1, so its
-- name is H2's own: looked up here. The PostgreSQL twin drops the same constraint by its PostgreSQL name.
EXECUTE IMMEDIATE 'ALTER TABLE telemetry DROP CONSTRAINT "' || (SELECT CONSTRAINT_NAME
    FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = CURRENT_SCHEMA AND TABLE_NAME = 'TELEMETRY'
    AND CONSTRAINT_TYPE = 'FOREIGN KEY') || '"';
