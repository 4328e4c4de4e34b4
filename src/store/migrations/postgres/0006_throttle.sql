-- Throttle counters (core/throttle.c) shared by every node of the database,
-- keyed by a keyed hash of what is counted (never an email or address).
-- Unlogged: a crash may forget a quarter of an hour of failed attempts, and
-- every failed log-in writes here.

CREATE UNLOGGED TABLE throttle_counts (
	key		bytea PRIMARY KEY,
	window_end	bigint NOT NULL,
	count		bigint NOT NULL
);

CREATE INDEX throttle_counts_window_end ON throttle_counts(window_end);
