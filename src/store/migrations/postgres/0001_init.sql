-- Accounts, browser sessions, personal access tokens, server keys: the
-- same tables as migrations/sqlite, in PostgreSQL's types. Times are Unix
-- seconds; secrets are stored only as SHA-256 hashes.

CREATE TABLE server_keys (
	name		text PRIMARY KEY,
	key		bytea NOT NULL CHECK (octet_length(key) = 32)
);

CREATE TABLE accounts (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email		text NOT NULL UNIQUE,
	password_hash	text NOT NULL,
	created_at	bigint NOT NULL
);

CREATE TABLE sessions (
	hash		bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
	account_id	bigint NOT NULL REFERENCES accounts(id)
			    ON DELETE CASCADE,
	created_at	bigint NOT NULL,
	last_seen	bigint NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE personal_tokens (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id	bigint NOT NULL REFERENCES accounts(id)
			    ON DELETE CASCADE,
	hash		bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
	created_at	bigint NOT NULL,
	last_used_at	bigint
);
CREATE INDEX personal_tokens_account ON personal_tokens(account_id);
