-- Accounts people can recover: the same as migrations/sqlite's
-- 0011_account_links.sql in PostgreSQL's types. Whether an account proved
-- its email, where and in what browser each session began, and the
-- one-time links mailed to an account (core/links.c), kept only as the
-- SHA-256 of their token, one per account and purpose: 1 verifies the
-- email the link was sent to, 2 resets the password, 3 makes `email` the
-- account's address.

ALTER TABLE accounts ADD COLUMN email_verified boolean NOT NULL
    DEFAULT false;

ALTER TABLE sessions ADD COLUMN address text NOT NULL DEFAULT '',
    ADD COLUMN user_agent text NOT NULL DEFAULT '';

CREATE TABLE account_links (
	hash		bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
	account_id	bigint NOT NULL REFERENCES accounts(id)
			    ON DELETE CASCADE,
	purpose		integer NOT NULL CHECK (purpose BETWEEN 1 AND 3),
	email		text NOT NULL,
	expires_at	bigint NOT NULL
);
CREATE INDEX account_links_account ON account_links(account_id, purpose);

-- A new address changes what the bearer API's memo of emails holds: the
-- revision moves, as in 0004_revision.
CREATE TRIGGER account_email_changed AFTER UPDATE OF email ON accounts
    FOR EACH ROW WHEN (NEW.email IS DISTINCT FROM OLD.email)
    EXECUTE FUNCTION bump_revision();
