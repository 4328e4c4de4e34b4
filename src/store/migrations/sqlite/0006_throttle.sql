-- Throttle counters (core/throttle.c), keyed by a keyed hash of what is
-- counted (never an email or address). A SQLite store is one process, which
-- counts in memory; the table keeps the two schemas alike and serves the
-- store contract suite.

CREATE TABLE throttle_counts (
	key		BLOB PRIMARY KEY,
	window_end	INTEGER NOT NULL,
	count		INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX throttle_counts_window_end ON throttle_counts(window_end);
