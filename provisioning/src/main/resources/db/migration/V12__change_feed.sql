-- Vigil registry, version 12: the change feed between the nodes of one deployment, and the nodes themselves.
-- Written in SQL that H2 2.x and PostgreSQL 15 both run.

-- Every change a node caches (device state and keys, operators, the policy in force, pinned trust tiers), written
-- in the transaction of the change itself. seq is the change's audit record's sequence number: appends to the audit
-- chain are serialised by its tip's row lock, so sequence numbers commit in order and a node that has applied
-- everything up to N never sees a change below N appear later. subject is a device's or an operator's name.
CREATE TABLE changes (
    seq     BIGINT       NOT NULL PRIMARY KEY,
    kind    VARCHAR(16)  NOT NULL,
    subject VARCHAR(200) NOT NULL,
    at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX changes_at ON changes (at);

-- The nodes serving this registry, each refreshing its row while it runs (vigil status).
CREATE TABLE nodes (
    node_id    VARCHAR(64)  NOT NULL PRIMARY KEY,
    address    VARCHAR(200) NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen  TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seq   BIGINT       NOT NULL,
    sessions   INTEGER      NOT NULL
);
