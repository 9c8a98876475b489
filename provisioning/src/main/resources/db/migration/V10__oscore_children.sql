-- Vigil registry, version 10: OSCORE children (RFC 8613). A third mode, 'oscore': the gateway forwards the child's
-- OSCORE-protected requests on its own session, unable to read or forge them. The child's security context is
-- made at registration: the master secret and salt are sealed (AES-256-GCM, the key in the data directory's
-- oscore-key file, never in the database; the child's name is the associated data), the ids stored in hex.
-- recipient_id is the server's recipient id: the child's sender id, the kid in its requests.
-- replay_floor is the highest sequence number the server has accepted from the child (-1: none): after a restart
-- nothing at or below it is accepted again (Appendix B.1.2).

ALTER TABLE gateway_children DROP CONSTRAINT gateway_children_mode;
ALTER TABLE gateway_children ADD CONSTRAINT gateway_children_mode CHECK (mode IN ('relay', 'proxy', 'oscore'));

CREATE TABLE oscore_contexts (
    child_id      BIGINT       NOT NULL PRIMARY KEY REFERENCES devices (id),
    recipient_id  VARCHAR(14)  NOT NULL,
    sender_id     VARCHAR(14)  NOT NULL,
    sealed_secret VARCHAR(200) NOT NULL,
    replay_floor  BIGINT       NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT oscore_contexts_recipient UNIQUE (recipient_id)
);
