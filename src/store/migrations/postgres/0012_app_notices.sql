-- The last notice of a refresh-token reuse per app: as migrations/sqlite's
-- 0012_app_notices.sql, in PostgreSQL's types.

CREATE TABLE app_notices (
	app_id		bigint PRIMARY KEY REFERENCES apps(id)
			    ON DELETE CASCADE,
	reuse_at	bigint NOT NULL
);
