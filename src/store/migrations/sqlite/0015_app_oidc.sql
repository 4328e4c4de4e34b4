-- An app's OpenID Connect settings (docs/REFERENCE.md §2): the algorithm
-- of its id_tokens' signatures, and where /oauth2/logout may send a
-- browser afterwards (newline-separated, as redirect_uris).

ALTER TABLE apps ADD COLUMN id_token_signed_response_alg TEXT NOT NULL
    DEFAULT 'RS256';
ALTER TABLE apps ADD COLUMN post_logout_redirect_uris TEXT NOT NULL
    DEFAULT '';
