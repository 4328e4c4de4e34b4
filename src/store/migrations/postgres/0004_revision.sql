-- A counter that every write taking something away bumps, in the same
-- transaction: a revoked token or family, a token deleted, a withdrawn
-- grant, a deleted app, a replaced secret. Nodes poll it and drop what
-- they cached when it moves. Row triggers that fire only on a real
-- change, as in migrations/sqlite/0004_revision.sql.

CREATE TABLE revision (
	id		integer PRIMARY KEY CHECK (id = 1),
	n		bigint NOT NULL
);
INSERT INTO revision(id, n) VALUES (1, 0);

CREATE FUNCTION bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE revision SET n = n + 1;
	RETURN NULL;
END
$$;

CREATE TRIGGER access_revoked AFTER UPDATE OF revoked ON access_tokens
    FOR EACH ROW WHEN (NEW.revoked IS DISTINCT FROM OLD.revoked)
    EXECUTE FUNCTION bump_revision();
CREATE TRIGGER access_deleted AFTER DELETE ON access_tokens
    FOR EACH ROW EXECUTE FUNCTION bump_revision();
CREATE TRIGGER family_revoked AFTER UPDATE OF revoked ON families
    FOR EACH ROW WHEN (NEW.revoked IS DISTINCT FROM OLD.revoked)
    EXECUTE FUNCTION bump_revision();
CREATE TRIGGER grant_deleted AFTER DELETE ON grants
    FOR EACH ROW EXECUTE FUNCTION bump_revision();
CREATE TRIGGER app_deleted AFTER DELETE ON apps
    FOR EACH ROW EXECUTE FUNCTION bump_revision();
CREATE TRIGGER app_secret_replaced AFTER UPDATE OF secret_hash ON apps
    FOR EACH ROW WHEN (NEW.secret_hash IS DISTINCT FROM OLD.secret_hash)
    EXECUTE FUNCTION bump_revision();
