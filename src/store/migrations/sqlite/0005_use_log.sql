-- Uses of access tokens, appended in batches (core/uses.c) and folded
-- into access_tokens.last_used every so often, in hash order: one short
-- append per batch instead of a scattered page write per token used.
-- A row is one batch: 40 bytes a use (the token's hash, then the time as
-- a big-endian 64-bit integer).

-- AUTOINCREMENT: an id is never given twice, so a fold deleting the rows
-- it read never deletes one appended since with a reused id.

CREATE TABLE use_log (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	uses		BLOB NOT NULL
);
