-- OpenID Connect (docs/REFERENCE.md §14): what an id_token says of the
-- log-in behind it. A session knows when its password was last entered
-- (auth_time) and how (amr: AMR_* bits of store/rows.h, 1 a password, 2
-- a two-step code after it); a code carries those and the request's
-- nonce; a family keeps auth_time and amr from its code through every
-- refresh. Sessions begun before this migration began with a password
-- at their creation.

ALTER TABLE sessions ADD COLUMN auth_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN amr INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET auth_time = created_at, amr = 1;

ALTER TABLE auth_codes ADD COLUMN nonce TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_codes ADD COLUMN auth_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE auth_codes ADD COLUMN amr INTEGER NOT NULL DEFAULT 0;

ALTER TABLE families ADD COLUMN auth_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE families ADD COLUMN amr INTEGER NOT NULL DEFAULT 0;
