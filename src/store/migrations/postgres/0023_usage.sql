-- Usage per app and hour: as migrations/sqlite's 0023_usage.sql, in
-- PostgreSQL's types.

CREATE TABLE usage (
	app_id		bigint NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	hour		bigint NOT NULL CHECK (hour % 3600 = 0),
	checks_ok	bigint NOT NULL DEFAULT 0,
	checks_401	bigint NOT NULL DEFAULT 0,
	api_ok		bigint NOT NULL DEFAULT 0,
	api_401		bigint NOT NULL DEFAULT 0,
	issued		bigint NOT NULL DEFAULT 0,
	refreshed	bigint NOT NULL DEFAULT 0,
	live_users	bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (app_id, hour)
);

-- keygate gc removes the hours before --usage-retention-days
CREATE INDEX usage_hour ON usage(hour);
