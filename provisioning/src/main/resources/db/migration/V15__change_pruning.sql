-- Vigil registry, version 15: the change feed is pruned. Rows every node seen within the retention has applied, and
-- older than the retention, are deleted in small batches; through_seq is the highest sequence number deleted so far.
-- A node whose last applied number is below it may have missed changes that are gone: it forgets every cache.
-- Written in SQL that H2 2.x and PostgreSQL 15 both run.

CREATE TABLE changes_pruned (
    id          INTEGER NOT NULL PRIMARY KEY,
    through_seq BIGINT  NOT NULL
);
INSERT INTO changes_pruned (id, through_seq) VALUES (1, 0);
