-- An operator may disable an account: as migrations/sqlite/0010, in
-- PostgreSQL's types. NULL: enabled.

ALTER TABLE accounts ADD COLUMN disabled_at bigint;

CREATE TRIGGER account_disabled AFTER UPDATE OF disabled_at ON accounts
    FOR EACH ROW WHEN (NEW.disabled_at IS DISTINCT FROM OLD.disabled_at)
    EXECUTE FUNCTION bump_revision();
CREATE TRIGGER account_deleted AFTER DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION bump_revision();
