-- Security events (docs/REFERENCE.md §20): what happened to an account or
-- to one of its apps, written in the same transaction as the change it
-- records. kind is core's enum event_kind (new kinds are appended, never
-- renumbered); detail a small JSON object, never a secret.
--
-- An account's deletion deletes its events (ON DELETE CASCADE). An app's
-- deletion keeps them: app_id has no foreign key and app_key holds the
-- app's api key as text, so an event still names the app it was about
-- (app_deleted among them). account_id is the account it happened to: the
-- owner for an app's events, the user for a grant's, a reuse's or a
-- replay's (the app's owner sees those through app_id).

CREATE TABLE events (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	account_id	INTEGER NOT NULL REFERENCES accounts(id)
			    ON DELETE CASCADE,
	kind		INTEGER NOT NULL,
	address		TEXT NOT NULL DEFAULT '',
	app_id		INTEGER,
	app_key		TEXT NOT NULL DEFAULT '',
	detail		TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_account ON events(account_id, id);
CREATE INDEX events_app ON events(app_id, id);
CREATE INDEX events_at ON events(at);
