-- PostgreSQL twin of db/h2/V8__gateway_children.sql: the same schema; BYTEA for H2's VARBINARY(n) (its length a CHECK), TEXT for CLOB, BYTEA for BLOB.
-- Vigil registry, version 8: children of gateways. A child belongs to one gateway (its primary key), in one mode:
-- 'relay' (its own DTLS session through the gateway) or 'proxy' (asserted: the gateway speaks for it on
-- POST /gw/{child}/t over the gateway's own session). A device is never its own child.

CREATE TABLE gateway_children (
    child_id   BIGINT      NOT NULL PRIMARY KEY REFERENCES devices (id),
    gateway_id BIGINT      NOT NULL REFERENCES devices (id),
    mode       VARCHAR(8)  NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT gateway_children_mode CHECK (mode IN ('relay', 'proxy')),
    CONSTRAINT gateway_children_not_self CHECK (child_id <> gateway_id)
);
CREATE INDEX gateway_children_gateway ON gateway_children (gateway_id);
