-- Secret rotation with an overlap (docs/REFERENCE.md §16). An app has at
-- most two valid secrets: the current one, still in secret_hash, and the
-- one it replaced, kept beside it until old_secret_expires_at. Two by
-- construction, and the token endpoint reads one row with no join.
-- Secrets are numbered per app (1, 2, ...): the number is the id the API
-- and the portal show and revoke by. The *_used_at columns are written at
-- most about once a minute per secret and node (core/clients.c); NULL:
-- never used.

ALTER TABLE apps ADD COLUMN secret_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE apps ADD COLUMN secret_used_at INTEGER;
ALTER TABLE apps ADD COLUMN old_secret_hash BLOB CHECK (old_secret_hash IS
    NULL OR length(old_secret_hash) = 32);
ALTER TABLE apps ADD COLUMN old_secret_id INTEGER;
ALTER TABLE apps ADD COLUMN old_secret_created_at INTEGER;
ALTER TABLE apps ADD COLUMN old_secret_used_at INTEGER;
ALTER TABLE apps ADD COLUMN old_secret_expires_at INTEGER;

UPDATE apps SET secret_id = 1 WHERE secret_hash IS NOT NULL;

-- The client memo holds both hashes: revoking the old secret moves the
-- revision, so that every node refuses it at once (a rotation does
-- already, through app_secret_replaced in 0004_revision).
CREATE TRIGGER app_old_secret_revoked AFTER UPDATE OF old_secret_hash
    ON apps WHEN OLD.old_secret_hash IS NOT NULL AND
    NEW.old_secret_hash IS NULL
BEGIN
	UPDATE revision SET n = n + 1;
END;
