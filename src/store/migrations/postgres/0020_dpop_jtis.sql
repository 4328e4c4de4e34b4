-- The DPoP proofs presented at the token endpoint: as migrations/sqlite's
-- 0020_dpop_jtis.sql, in PostgreSQL's types. Nothing here is worth a
-- write-ahead log: a crash loses only proofs about to expire anyway, so
-- the table is UNLOGGED.

CREATE UNLOGGED TABLE dpop_jtis (
	hash		bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
	expires_at	bigint NOT NULL
);

CREATE INDEX dpop_jtis_expires_at ON dpop_jtis(expires_at);
