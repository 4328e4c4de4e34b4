-- Room on each page of the token tables for the updates that change no
-- indexed column: a use folded into access_tokens.last_used, a rotation's
-- compare-and-set on refresh_tokens.used_at. With room, PostgreSQL writes
-- the new row version on the same page and touches no index (a HOT
-- update); on a full page it writes it elsewhere and adds an entry to
-- every index of the table. Pages written before this keep no room until
-- rewritten (VACUUM FULL or CLUSTER), which no node needs.
ALTER TABLE access_tokens SET (fillfactor = 80);
ALTER TABLE refresh_tokens SET (fillfactor = 80);
