-- Issue 23's app switches and pushed authorization requests: as
-- migrations/sqlite's 0018_par.sql, in PostgreSQL's types.
ALTER TABLE apps ADD COLUMN dpop_bound boolean NOT NULL DEFAULT false;
ALTER TABLE apps ADD COLUMN require_par boolean NOT NULL DEFAULT false;

CREATE TRIGGER app_dpop_par_changed AFTER UPDATE OF dpop_bound, require_par
    ON apps FOR EACH ROW WHEN (NEW.dpop_bound IS DISTINCT FROM
    OLD.dpop_bound OR NEW.require_par IS DISTINCT FROM OLD.require_par)
    EXECUTE FUNCTION bump_revision();

CREATE TABLE par_requests (
	hash		bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
	app_id		bigint NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	params		text NOT NULL,
	created_at	bigint NOT NULL,
	expires_at	bigint NOT NULL,
	used		boolean NOT NULL DEFAULT false
);
CREATE INDEX par_requests_app ON par_requests(app_id);
CREATE INDEX par_requests_expires ON par_requests(expires_at);
