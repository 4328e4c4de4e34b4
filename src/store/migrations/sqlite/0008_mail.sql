-- The mail queue (core/mail.c, core/mailer.c): each row one message, as
-- it will be sent (RFC 5322, composed when it was queued), and its
-- recipient. The sender claims a due row for MAIL_LEASE_S (lease_until),
-- delivers it, then deletes it, or writes the failed attempt back with
-- the time of the next one. A message may hold a link with a one-time
-- token: it is kept only until it is delivered or given up.

CREATE TABLE mail_queue (
	id		INTEGER PRIMARY KEY,
	recipient	TEXT NOT NULL,
	message		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	next_at		INTEGER NOT NULL,	-- the next attempt
	attempts	INTEGER NOT NULL DEFAULT 0,	-- failed ones
	lease_until	INTEGER NOT NULL DEFAULT 0,	-- claimed until
	last_error	TEXT NOT NULL DEFAULT ''
);

CREATE INDEX mail_queue_next_at ON mail_queue(next_at);
