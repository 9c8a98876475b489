-- Vigil registry, version 14: pre-shared keys for asserted-proxy children too weak for ECDHE/ECDSA. The child
-- authenticates to its gateway only (DTLS PSK); the gateway learns the key from the child list it pulls on its own
-- session. The key is made at registration and sealed (AES-256-GCM, the key in the data directory's oscore-key
-- file, never in the database; the child's name is the associated data). The PSK identity is the child's name.

CREATE TABLE psk_children (
    child_id   BIGINT       NOT NULL PRIMARY KEY REFERENCES devices (id),
    sealed_key VARCHAR(200) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
