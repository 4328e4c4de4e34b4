-- Authorization codes bound to a DPoP key (RFC 9449 §10; docs/REFERENCE.md
-- §17.3): the SHA-256 JWK thumbprint the authorization request named in
-- dpop_jkt, or the key of the DPoP proof sent to /oauth2/par; NULL for a
-- code any proof (or none) may exchange.

ALTER TABLE auth_codes ADD COLUMN jkt BLOB CHECK (jkt IS NULL OR
    length(jkt) = 32);
