-- Vigil registry, version 16 (H2): readings' ids are handed out from a cache of 1,024 instead of H2's default 32.
-- H2 writes an identity's next cached value with a commit of its own each time its cache runs out: with 32, a
-- group commit of 40 readings made two or three commits to the file instead of one (a quarter of the telemetry
-- writer's CPU, measured by scripts/bench ingest). H2 keeps one cache per sequence, shared by every connection,
-- so ids still rise in the order rows are inserted; after a crash they resume above the cached range (a gap).
-- The PostgreSQL twin keeps a cache of 1: there every connection would hold a cache of its own, and a device's
-- later reading could get a lower id than its earlier one (readings are read back in id order).
ALTER TABLE telemetry ALTER COLUMN id SET CACHE 1024;
