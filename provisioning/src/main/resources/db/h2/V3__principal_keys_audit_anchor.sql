-- Vigil registry, version 3: one key is one principal; the audit chain's signed anchor.

-- Every key any principal holds or held (devices and operators, tombstones included), so a key can never
-- belong to two principals: a device key cannot become an operator key, nor the reverse. Rows are never
-- deleted. Keys already registered for two principals before this version keep the first kind found.
CREATE TABLE principal_keys (
    key_id VARCHAR(80) NOT NULL PRIMARY KEY,
    kind   VARCHAR(16) NOT NULL
);
INSERT INTO principal_keys (key_id, kind) SELECT key_id, 'device' FROM device_keys;
INSERT INTO principal_keys (key_id, kind)
    SELECT key_id, 'operator' FROM operators o
    WHERE NOT EXISTS (SELECT 1 FROM principal_keys p WHERE p.key_id = o.key_id);

-- The newest signed anchor of the audit chain: a record's sequence number and hash, signed with the
-- node's audit key (a file in the data directory, never in the database). A copy is kept in the data
-- directory too, so rolling this row back is detected as well.
CREATE TABLE audit_anchor (
    id        INT          NOT NULL PRIMARY KEY,
    seq       BIGINT       NOT NULL,
    hash      VARCHAR(64)  NOT NULL,
    at        TIMESTAMP WITH TIME ZONE NOT NULL,
    signature VARCHAR(200) NOT NULL
);
