-- Security events: as migrations/sqlite's 0022_events.sql, in PostgreSQL's
-- types.

CREATE TABLE events (
	id		bigserial PRIMARY KEY,
	at		bigint NOT NULL,
	account_id	bigint NOT NULL REFERENCES accounts(id)
			    ON DELETE CASCADE,
	kind		integer NOT NULL,
	address		text NOT NULL DEFAULT '',
	app_id		bigint,
	app_key		text NOT NULL DEFAULT '',
	detail		text NOT NULL DEFAULT '{}'
);
CREATE INDEX events_account ON events(account_id, id);
CREATE INDEX events_app ON events(app_id, id);
CREATE INDEX events_at ON events(at);
