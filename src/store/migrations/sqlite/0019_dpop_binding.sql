-- DPoP-bound tokens (RFC 9449 §5, §6; docs/REFERENCE.md §17.2): the SHA-256
-- JWK thumbprint (RFC 7638) of the key a token is bound to, NULL for a
-- Bearer token. On each token, not on the family: a confidential client's
-- refresh tokens stay unbound while each of its access tokens is bound to
-- the key of the request that got it, and a client may change keys.
-- A rotation copies the binding of the refresh token it rotates.

ALTER TABLE access_tokens ADD COLUMN jkt BLOB CHECK (jkt IS NULL OR
    length(jkt) = 32);
ALTER TABLE refresh_tokens ADD COLUMN jkt BLOB CHECK (jkt IS NULL OR
    length(jkt) = 32);
