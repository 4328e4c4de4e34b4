-- Accounts people can recover (docs/REFERENCE.md, "Accounts"): whether an
-- account proved its email, where and in what browser each session
-- began, and the one-time links mailed to an account (core/links.c).
-- A link is kept only as the SHA-256 of its token; an account has at most
-- one link of each purpose (a newer one replaces the older), so expired
-- rows never pile up: purpose 1 verifies the email the link was sent to,
-- 2 resets the password, 3 makes `email` the account's address.

ALTER TABLE accounts ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;

ALTER TABLE sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';

CREATE TABLE account_links (
	hash		BLOB PRIMARY KEY CHECK (length(hash) = 32),
	account_id	INTEGER NOT NULL REFERENCES accounts(id)
			    ON DELETE CASCADE,
	purpose		INTEGER NOT NULL CHECK (purpose BETWEEN 1 AND 3),
	email		TEXT NOT NULL,
	expires_at	INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX account_links_account ON account_links(account_id, purpose);

-- A new address changes what the bearer API's memo of emails holds
-- (core/accounts.c): the revision moves, as in 0004_revision.
CREATE TRIGGER account_email_changed AFTER UPDATE OF email ON accounts
    WHEN NEW.email <> OLD.email
BEGIN
	UPDATE revision SET n = n + 1;
END;
