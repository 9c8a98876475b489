-- Vigil registry, version 13: every key an operator holds or held, so an operator can rotate its key, a
-- removed name can be added again (the same row, a new key), and output that shows a key id can name the
-- operator behind it. operators.key_id stays the current key. States: ACTIVE (the operator's current key),
-- RETIRED (replaced by a rotation), REVOKED (the operator was removed while holding it). Rows are never deleted.
CREATE TABLE operator_keys (
    key_id      VARCHAR(80) NOT NULL PRIMARY KEY,
    operator_id BIGINT      NOT NULL REFERENCES operators (id),
    state       VARCHAR(16) NOT NULL,
    added_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at    TIMESTAMP WITH TIME ZONE
);
INSERT INTO operator_keys (key_id, operator_id, state, added_at, ended_at)
    SELECT key_id, id, CASE WHEN removed_at IS NULL THEN 'ACTIVE' ELSE 'REVOKED' END, created_at, removed_at
    FROM operators;
