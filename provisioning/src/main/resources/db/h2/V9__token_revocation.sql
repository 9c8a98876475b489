-- An operator can revoke an enrollment token before it is spent (vigil token revoke ID); a revoked token
-- enrolls nothing. Its row stays, for the audit trail.
ALTER TABLE enrollment_tokens ADD COLUMN revoked_at TIMESTAMP WITH TIME ZONE;
