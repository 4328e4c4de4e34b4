-- Usage per app and hour (docs/REFERENCE.md §21): the six counters of
-- enum usage_kind, added to by every node (INSERT ... ON CONFLICT DO
-- UPDATE SET n = n + excluded.n), and live_users, the accounts with a
-- grant to the app as last sampled in the hour (set, not added). `hour`
-- is Unix seconds, a multiple of 3600 (UTC). Deleted with their app.

CREATE TABLE usage (
	app_id		INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	hour		INTEGER NOT NULL CHECK (hour % 3600 = 0),
	checks_ok	INTEGER NOT NULL DEFAULT 0,
	checks_401	INTEGER NOT NULL DEFAULT 0,
	api_ok		INTEGER NOT NULL DEFAULT 0,
	api_401		INTEGER NOT NULL DEFAULT 0,
	issued		INTEGER NOT NULL DEFAULT 0,
	refreshed	INTEGER NOT NULL DEFAULT 0,
	live_users	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (app_id, hour)
) WITHOUT ROWID;

-- keygate gc removes the hours before --usage-retention-days
CREATE INDEX usage_hour ON usage(hour);
