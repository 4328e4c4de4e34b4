-- The OpenID Provider's signing keys (core/signing_keys.c): one row per
-- key, the private half sealed (XChaCha20-Poly1305 under the --key-file
-- key, the kid bound in), so that a copy of the database alone signs
-- nothing. seq numbers an algorithm's keys: the newest whose active_from
-- has passed signs, and (alg, seq) unique lets nodes starting together on
-- an empty table, or rotating together, agree on one key per step.

CREATE TABLE signing_keys (
	kid		TEXT PRIMARY KEY,
	alg		TEXT NOT NULL,
	seq		INTEGER NOT NULL,
	public_jwk	TEXT NOT NULL,
	private_sealed	TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	active_from	INTEGER NOT NULL,
	UNIQUE (alg, seq)
);

-- A new key moves the revision (0004_revision), so that running servers
-- load it within a poll and publish it at once.
CREATE TRIGGER signing_key_added AFTER INSERT ON signing_keys
BEGIN
	UPDATE revision SET n = n + 1;
END;
CREATE TRIGGER signing_key_deleted AFTER DELETE ON signing_keys
BEGIN
	UPDATE revision SET n = n + 1;
END;
