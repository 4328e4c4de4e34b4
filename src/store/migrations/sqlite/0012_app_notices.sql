-- When an app's owner was last mailed that a refresh token of the app was
-- used twice (core/notices.c): at most one such notice an hour per app,
-- claimed by a compare-and-set on reuse_at so that nodes sharing the
-- store send one between them.

CREATE TABLE app_notices (
	app_id		INTEGER PRIMARY KEY REFERENCES apps(id)
			    ON DELETE CASCADE,
	reuse_at	INTEGER NOT NULL
);
