-- An app's OpenID Connect settings: as migrations/sqlite's
-- 0015_app_oidc.sql, in PostgreSQL's types.

ALTER TABLE apps ADD COLUMN id_token_signed_response_alg text NOT NULL
    DEFAULT 'RS256';
ALTER TABLE apps ADD COLUMN post_logout_redirect_uris text NOT NULL
    DEFAULT '';
