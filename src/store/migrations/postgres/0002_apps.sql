-- Applications (docs/REFERENCE.md §2). Redirect URIs are kept
-- newline-separated: a URI cannot hold a line break. An empty string means
-- "not set".

CREATE TABLE apps (
	id			bigint GENERATED ALWAYS AS IDENTITY
				    PRIMARY KEY,
	account_id		bigint NOT NULL REFERENCES accounts(id)
				    ON DELETE CASCADE,
	api_key			text NOT NULL UNIQUE,
	name			text NOT NULL,
	public_name		text NOT NULL DEFAULT '',
	logo_url		text NOT NULL DEFAULT '',
	description		text NOT NULL DEFAULT '',
	redirect_uris		text NOT NULL DEFAULT '',
	implicit_flow		boolean NOT NULL DEFAULT false,
	secret_hash		bytea CHECK (secret_hash IS NULL OR
				    octet_length(secret_hash) = 32),
	secret_created_at	bigint,
	created_at		bigint NOT NULL
);
CREATE INDEX apps_account ON apps(account_id);
