-- PostgreSQL twin of db/h2/V9__token_revocation.sql: the same schema; BYTEA for H2's VARBINARY(n) (its length a CHECK), TEXT for CLOB, BYTEA for BLOB.
-- An operator can revoke an enrollment token before it is spent (vigil token revoke ID); a revoked token
-- enrolls nothing. Its row stays, for the audit trail.
ALTER TABLE enrollment_tokens ADD COLUMN revoked_at TIMESTAMP WITH TIME ZONE;
