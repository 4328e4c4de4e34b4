-- An app's OpenID Connect settings: as migrations/sqlite's
-- 0015_app_oidc.sql, in PostgreSQL's types.

ALTER TABLE apps ADD COLUMN id_token_signed_response_alg text NOT NULL
    DEFAULT 'RS256';
ALTER TABLE apps ADD COLUMN post_logout_redirect_uris text NOT NULL
    DEFAULT '';

-- Confirming an address moves the revision (the accounts memo holds
-- email_verified), as in migrations/sqlite's 0015_app_oidc.sql.
CREATE TRIGGER account_email_verified AFTER UPDATE OF email_verified
    ON accounts FOR EACH ROW
    WHEN (NEW.email_verified IS DISTINCT FROM OLD.email_verified)
    EXECUTE FUNCTION bump_revision();
