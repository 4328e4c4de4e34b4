-- An operator may disable an account (keygate account disable): it can no
-- longer log in, its apps' clients no longer authenticate, and every token
-- issued to its apps or to it as an end user reads as revoked while it is
-- disabled (the token reads join the two accounts). NULL: enabled.
-- Disabling, enabling and deleting an account bump the revision counter
-- (0004_revision), so every node drops what it cached about its tokens
-- and clients within the keeper's period.

ALTER TABLE accounts ADD COLUMN disabled_at INTEGER;

CREATE TRIGGER account_disabled AFTER UPDATE OF disabled_at ON accounts
    WHEN NEW.disabled_at IS NOT OLD.disabled_at
BEGIN
	UPDATE revision SET n = n + 1;
END;
CREATE TRIGGER account_deleted AFTER DELETE ON accounts
BEGIN
	UPDATE revision SET n = n + 1;
END;
