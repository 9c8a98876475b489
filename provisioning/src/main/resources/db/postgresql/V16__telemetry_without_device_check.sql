-- Vigil registry, version 16 (PostgreSQL): a reading's device is no longer checked by a foreign key on every
-- insert (see the H2 twin for why: the check was a large share of the telemetry writer's cost on H2; readings are
-- written only for devices just found in the registry, and device rows are never deleted). The index
-- telemetry_device (device_id, id) stays. The name is PostgreSQL's default for V1's inline REFERENCES.
ALTER TABLE telemetry DROP CONSTRAINT telemetry_device_id_fkey;
