-- PostgreSQL twin of db/h2/V7__telemetry_sequences.sql: the same schema; BYTEA for H2's VARBINARY(n) (its length a CHECK), TEXT for CLOB, BYTEA for BLOB.
-- Vigil registry, version 7: the highest reading sequence number stored per device. An agent numbers its
-- readings (POST /t?s=N: the pack's readings are N, N+1, ...) and resends what it has no 2.04 for; a reading
-- at or below this number is a replay of one already stored and is dropped.

CREATE TABLE telemetry_sequences (
    device_id BIGINT NOT NULL PRIMARY KEY REFERENCES devices (id),
    last_seq  BIGINT NOT NULL
);
