-- The DPoP proofs presented at the token endpoint (core/dpop.c), by the
-- SHA-256 of their key's thumbprint and jti, until the proof would be
-- too old to accept: nodes sharing a PostgreSQL store claim each proof
-- here, so that a proof replayed to another node is refused. A SQLite
-- store is one process, which remembers proofs in memory; the table
-- keeps the two schemas alike and serves the store contract suite.

CREATE TABLE dpop_jtis (
	hash		BLOB PRIMARY KEY CHECK (length(hash) = 32),
	expires_at	INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX dpop_jtis_expires_at ON dpop_jtis(expires_at);
