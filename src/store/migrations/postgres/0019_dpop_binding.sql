-- DPoP-bound tokens: as migrations/sqlite's 0019_dpop_binding.sql, in
-- PostgreSQL's types.

ALTER TABLE access_tokens ADD COLUMN jkt bytea CHECK (jkt IS NULL OR
    octet_length(jkt) = 32);
ALTER TABLE refresh_tokens ADD COLUMN jkt bytea CHECK (jkt IS NULL OR
    octet_length(jkt) = 32);
