-- Authorization codes bound to a DPoP key: as migrations/sqlite's
-- 0021_code_dpop_jkt.sql, in PostgreSQL's types.

ALTER TABLE auth_codes ADD COLUMN jkt bytea CHECK (jkt IS NULL OR
    octet_length(jkt) = 32);
