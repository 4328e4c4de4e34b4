-- Issue 23's app switches (docs/REFERENCE.md §2), off by default:
-- dpop_bound_access_tokens (§17) and
-- require_pushed_authorization_requests (§18).
ALTER TABLE apps ADD COLUMN dpop_bound INTEGER NOT NULL DEFAULT 0;
ALTER TABLE apps ADD COLUMN require_par INTEGER NOT NULL DEFAULT 0;

-- The client memo (core/clients.c) holds both switches: a change moves
-- the revision, so that every node's memo drops the app.
CREATE TRIGGER app_dpop_par_changed AFTER UPDATE OF dpop_bound, require_par
    ON apps WHEN NEW.dpop_bound <> OLD.dpop_bound OR
    NEW.require_par <> OLD.require_par
BEGIN
	UPDATE revision SET n = n + 1;
END;

-- Pushed authorization requests (RFC 9126; §18). A row is keyed by the
-- SHA-256 of the request_uri's random part (never stored itself); params
-- holds the authorization request's parameters, form-encoded as pushed
-- and checked. used is set, once, when the code or token is issued.
CREATE TABLE par_requests (
	hash		BLOB PRIMARY KEY CHECK (length(hash) = 32),
	app_id		INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	params		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	used		INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX par_requests_app ON par_requests(app_id);
CREATE INDEX par_requests_expires ON par_requests(expires_at);
