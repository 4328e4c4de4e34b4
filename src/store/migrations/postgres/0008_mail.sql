-- The mail queue (core/mail.c, core/mailer.c): each row one message, as
-- it will be sent (RFC 5322, composed when it was queued), and its
-- recipient. A node claims a due row for MAIL_LEASE_S (lease_until, taken
-- with FOR UPDATE SKIP LOCKED, so that two nodes never claim one mail),
-- delivers it, then deletes it, or writes the failed attempt back with
-- the time of the next one. A message may hold a link with a one-time
-- token: it is kept only until it is delivered or given up.

CREATE TABLE mail_queue (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	recipient	text NOT NULL,
	message		text NOT NULL,
	created_at	bigint NOT NULL,
	next_at		bigint NOT NULL,	-- the next attempt
	attempts	bigint NOT NULL DEFAULT 0,	-- failed ones
	lease_until	bigint NOT NULL DEFAULT 0,	-- claimed until
	last_error	text NOT NULL DEFAULT ''
);

CREATE INDEX mail_queue_next_at ON mail_queue(next_at);
