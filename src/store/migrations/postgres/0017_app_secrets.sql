-- Secret rotation with an overlap: as migrations/sqlite's
-- 0017_app_secrets.sql, in PostgreSQL's types.

ALTER TABLE apps ADD COLUMN secret_id bigint NOT NULL DEFAULT 0;
ALTER TABLE apps ADD COLUMN secret_used_at bigint;
ALTER TABLE apps ADD COLUMN old_secret_hash bytea CHECK (old_secret_hash
    IS NULL OR octet_length(old_secret_hash) = 32);
ALTER TABLE apps ADD COLUMN old_secret_id bigint;
ALTER TABLE apps ADD COLUMN old_secret_created_at bigint;
ALTER TABLE apps ADD COLUMN old_secret_used_at bigint;
ALTER TABLE apps ADD COLUMN old_secret_expires_at bigint;

UPDATE apps SET secret_id = 1 WHERE secret_hash IS NOT NULL;

-- Revoking the old secret moves the revision, as in migrations/sqlite's
-- 0017_app_secrets.sql.
CREATE TRIGGER app_old_secret_revoked AFTER UPDATE OF old_secret_hash
    ON apps FOR EACH ROW
    WHEN (OLD.old_secret_hash IS NOT NULL AND NEW.old_secret_hash IS NULL)
    EXECUTE FUNCTION bump_revision();
