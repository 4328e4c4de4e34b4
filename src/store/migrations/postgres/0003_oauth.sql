-- OAuth 2 (docs/REFERENCE.md §1, §3, §4), as migrations/sqlite/0003_oauth.sql:
-- a grant is one account's consent to one app, a family the tokens that
-- descend from one authorization; deleting a grant deletes its codes, families
-- and tokens. Scopes are bit masks; credentials are SHA-256 hashes.

CREATE TABLE grants (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id	bigint NOT NULL REFERENCES accounts(id)
			    ON DELETE CASCADE,
	app_id		bigint NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	scope		bigint NOT NULL,
	created_at	bigint NOT NULL,
	UNIQUE (account_id, app_id)
);
CREATE INDEX grants_app ON grants(app_id);

-- used: 0 until an exchange was attempted; family_id: what it started
CREATE TABLE auth_codes (
	hash		bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
	grant_id	bigint NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
	redirect_uri	text NOT NULL,
	scope		bigint NOT NULL,
	challenge	text NOT NULL DEFAULT '',
	expires_at	bigint NOT NULL,
	used		smallint NOT NULL DEFAULT 0,
	family_id	bigint
);
CREATE INDEX auth_codes_grant ON auth_codes(grant_id);

CREATE TABLE families (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	grant_id	bigint NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
	scope		bigint NOT NULL,
	revoked		boolean NOT NULL DEFAULT false,
	created_at	bigint NOT NULL
);
CREATE INDEX families_grant ON families(grant_id);

CREATE TABLE access_tokens (
	hash		bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
	family_id	bigint NOT NULL REFERENCES families(id)
			    ON DELETE CASCADE,
	parent		bytea,
	scope		bigint NOT NULL,
	iat		bigint NOT NULL,
	last_used	bigint NOT NULL DEFAULT 0,
	revoked		boolean NOT NULL DEFAULT false
);
CREATE INDEX access_tokens_family ON access_tokens(family_id);
CREATE INDEX access_tokens_parent ON access_tokens(parent)
    WHERE parent IS NOT NULL;

CREATE TABLE refresh_tokens (
	hash		bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
	family_id	bigint NOT NULL REFERENCES families(id)
			    ON DELETE CASCADE,
	parent		bytea,
	scope		bigint NOT NULL,
	created_at	bigint NOT NULL,
	used_at		bigint NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_parent ON refresh_tokens(parent)
    WHERE parent IS NOT NULL;
