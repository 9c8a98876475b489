-- Security events are numbered by each node on its own: the key is (node, seq), so two nodes on one registry
-- no longer collide (a batch of one node's events failed on the other's numbers and was lost).
-- Rows from before have node '' and stay every node's history.
ALTER TABLE security_events ADD COLUMN node VARCHAR(64) DEFAULT '' NOT NULL;
ALTER TABLE security_events DROP CONSTRAINT security_events_pkey;
ALTER TABLE security_events ADD PRIMARY KEY (node, seq);
