-- Accounts, browser sessions, personal access tokens, server keys.
-- Times are Unix seconds; secrets are stored only as SHA-256 hashes.

CREATE TABLE server_keys (
	name		TEXT PRIMARY KEY,
	key		BLOB NOT NULL CHECK (length(key) = 32)
);

CREATE TABLE accounts (
	id		INTEGER PRIMARY KEY,
	email		TEXT NOT NULL UNIQUE,
	password_hash	TEXT NOT NULL,
	created_at	INTEGER NOT NULL
);

CREATE TABLE sessions (
	hash		BLOB PRIMARY KEY CHECK (length(hash) = 32),
	account_id	INTEGER NOT NULL REFERENCES accounts(id)
			    ON DELETE CASCADE,
	created_at	INTEGER NOT NULL,
	last_seen	INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE personal_tokens (
	id		INTEGER PRIMARY KEY,
	account_id	INTEGER NOT NULL REFERENCES accounts(id)
			    ON DELETE CASCADE,
	hash		BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
	created_at	INTEGER NOT NULL,
	last_used_at	INTEGER
);
CREATE INDEX personal_tokens_account ON personal_tokens(account_id);
