-- An app's OpenID Connect settings (docs/REFERENCE.md §2): the algorithm
-- of its id_tokens' signatures, and where /oauth2/logout may send a
-- browser afterwards (newline-separated, as redirect_uris).

ALTER TABLE apps ADD COLUMN id_token_signed_response_alg TEXT NOT NULL
    DEFAULT 'RS256';
ALTER TABLE apps ADD COLUMN post_logout_redirect_uris TEXT NOT NULL
    DEFAULT '';

-- The accounts memo (core/accounts.c) holds whether an address is verified
-- for userinfo and the id_token's email_verified: confirming it moves the
-- revision, as a new address does (0011_account_links).
CREATE TRIGGER account_email_verified AFTER UPDATE OF email_verified
    ON accounts WHEN NEW.email_verified <> OLD.email_verified
BEGIN
	UPDATE revision SET n = n + 1;
END;
