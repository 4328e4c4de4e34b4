-- The log-in behind an id_token: as migrations/sqlite's
-- 0014_oidc_logins.sql, in PostgreSQL's types.

ALTER TABLE sessions ADD COLUMN auth_time bigint NOT NULL DEFAULT 0,
    ADD COLUMN amr bigint NOT NULL DEFAULT 0;
UPDATE sessions SET auth_time = created_at, amr = 1;

ALTER TABLE auth_codes ADD COLUMN nonce text NOT NULL DEFAULT '',
    ADD COLUMN auth_time bigint NOT NULL DEFAULT 0,
    ADD COLUMN amr bigint NOT NULL DEFAULT 0;

ALTER TABLE families ADD COLUMN auth_time bigint NOT NULL DEFAULT 0,
    ADD COLUMN amr bigint NOT NULL DEFAULT 0;
