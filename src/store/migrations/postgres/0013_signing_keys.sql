-- The OpenID Provider's signing keys: as migrations/sqlite's
-- 0013_signing_keys.sql, in PostgreSQL's types.

CREATE TABLE signing_keys (
	kid		text PRIMARY KEY,
	alg		text NOT NULL,
	seq		bigint NOT NULL,
	public_jwk	text NOT NULL,
	private_sealed	text NOT NULL,
	created_at	bigint NOT NULL,
	active_from	bigint NOT NULL,
	UNIQUE (alg, seq)
);

CREATE TRIGGER signing_key_added AFTER INSERT ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION bump_revision();
CREATE TRIGGER signing_key_deleted AFTER DELETE ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION bump_revision();
