-- Vigil registry, version 2: lifecycle (import, enrollment, rotation, tombstones), audit log, policies.

-- A manufacturer manifest may name a key by its id only; the public key arrives with the first handshake.
ALTER TABLE device_keys ALTER COLUMN public_key DROP NOT NULL;
-- When the key became ACTIVE (key age for profiles with a maximum key age).
ALTER TABLE device_keys ADD COLUMN activated_at TIMESTAMP WITH TIME ZONE;
UPDATE device_keys SET activated_at = created_at WHERE state = 'ACTIVE';

ALTER TABLE devices ADD COLUMN rotation_requested BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE devices ADD COLUMN first_seen_at TIMESTAMP WITH TIME ZONE;

ALTER TABLE operators ADD COLUMN removed_at TIMESTAMP WITH TIME ZONE;

-- One-time enrollment tokens, stored only as SHA-256 hashes.
CREATE TABLE enrollment_tokens (
    token_hash  VARCHAR(64)  NOT NULL PRIMARY KEY,
    profile     VARCHAR(64)  NOT NULL,
    device_name VARCHAR(64),
    uses_left   INT          NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by  VARCHAR(120) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Append-only, hash-chained audit log. audit_head is the chain's tip: updating its single row in every
-- appending transaction serialises appends, so the chain never forks.
CREATE TABLE audit_log (
    seq          BIGINT        NOT NULL PRIMARY KEY,
    at           TIMESTAMP WITH TIME ZONE NOT NULL,
    actor        VARCHAR(160)  NOT NULL,
    action       VARCHAR(64)   NOT NULL,
    target       VARCHAR(200)  NOT NULL,
    before_state VARCHAR(2000),
    after_state  VARCHAR(2000),
    prev_hash    VARCHAR(64)   NOT NULL,
    hash         VARCHAR(64)   NOT NULL
);
CREATE TABLE audit_head (
    id   INT         NOT NULL PRIMARY KEY,
    seq  BIGINT      NOT NULL,
    hash VARCHAR(64) NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Applied policy documents, newest version in force.
CREATE TABLE policies (
    version    BIGINT       NOT NULL PRIMARY KEY,
    document   CLOB         NOT NULL,
    applied_at TIMESTAMP WITH TIME ZONE NOT NULL,
    applied_by VARCHAR(160) NOT NULL
);
