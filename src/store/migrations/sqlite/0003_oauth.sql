-- OAuth 2 (docs/REFERENCE.md §1, §3, §4). A grant is one account's consent to
-- one app (its scope the union of what was allowed); a family is the tokens
-- that descend from one authorization. Deleting a grant deletes its codes,
-- families and tokens. Scopes are bit masks (core/scopes.h); credentials
-- are SHA-256 hashes. `parent` is the refresh token a token came from.

CREATE TABLE grants (
	id		INTEGER PRIMARY KEY,
	account_id	INTEGER NOT NULL REFERENCES accounts(id)
			    ON DELETE CASCADE,
	app_id		INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	scope		INTEGER NOT NULL,
	created_at	INTEGER NOT NULL,
	UNIQUE (account_id, app_id)
);
CREATE INDEX grants_app ON grants(app_id);

CREATE TABLE auth_codes (
	hash		BLOB PRIMARY KEY CHECK (length(hash) = 32),
	grant_id	INTEGER NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
	redirect_uri	TEXT NOT NULL,
	scope		INTEGER NOT NULL,
	challenge	TEXT NOT NULL DEFAULT '',
	expires_at	INTEGER NOT NULL,
	used		INTEGER NOT NULL DEFAULT 0,
	family_id	INTEGER
) WITHOUT ROWID;
CREATE INDEX auth_codes_grant ON auth_codes(grant_id);

CREATE TABLE families (
	id		INTEGER PRIMARY KEY,
	grant_id	INTEGER NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
	scope		INTEGER NOT NULL,
	revoked		INTEGER NOT NULL DEFAULT 0,
	created_at	INTEGER NOT NULL
);
CREATE INDEX families_grant ON families(grant_id);

CREATE TABLE access_tokens (
	hash		BLOB PRIMARY KEY CHECK (length(hash) = 32),
	family_id	INTEGER NOT NULL REFERENCES families(id)
			    ON DELETE CASCADE,
	parent		BLOB,
	scope		INTEGER NOT NULL,
	iat		INTEGER NOT NULL,
	last_used	INTEGER NOT NULL DEFAULT 0,
	revoked		INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX access_tokens_family ON access_tokens(family_id);
CREATE INDEX access_tokens_parent ON access_tokens(parent)
    WHERE parent IS NOT NULL;

CREATE TABLE refresh_tokens (
	hash		BLOB PRIMARY KEY CHECK (length(hash) = 32),
	family_id	INTEGER NOT NULL REFERENCES families(id)
			    ON DELETE CASCADE,
	parent		BLOB,
	scope		INTEGER NOT NULL,
	created_at	INTEGER NOT NULL,
	used_at		INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_parent ON refresh_tokens(parent)
    WHERE parent IS NOT NULL;
