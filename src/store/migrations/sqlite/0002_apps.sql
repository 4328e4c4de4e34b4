-- Applications (docs/REFERENCE.md §2). Redirect URIs are kept
-- newline-separated: a URI cannot hold a line break. An empty string means
-- "not set".

CREATE TABLE apps (
	id			INTEGER PRIMARY KEY,
	account_id		INTEGER NOT NULL REFERENCES accounts(id)
				    ON DELETE CASCADE,
	api_key			TEXT NOT NULL UNIQUE,
	name			TEXT NOT NULL,
	public_name		TEXT NOT NULL DEFAULT '',
	logo_url		TEXT NOT NULL DEFAULT '',
	description		TEXT NOT NULL DEFAULT '',
	redirect_uris		TEXT NOT NULL DEFAULT '',
	implicit_flow		INTEGER NOT NULL DEFAULT 0,
	secret_hash		BLOB CHECK (secret_hash IS NULL OR
				    length(secret_hash) = 32),
	secret_created_at	INTEGER,
	created_at		INTEGER NOT NULL
);
CREATE INDEX apps_account ON apps(account_id);
