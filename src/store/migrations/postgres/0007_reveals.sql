-- The showings of new app secrets still to come (core/reveal.c). A new
-- secret crosses the browser sealed in a cookie together with a random
-- nonce; the row of that nonce is deleted as the secret is shown, so the
-- same cookie replayed finds nothing. Only the SHA-256 of the nonce is
-- kept. Rows never shown are removed by `keygate gc` once expired.

CREATE TABLE reveals (
	hash		bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
	expires_at	bigint NOT NULL
);

CREATE INDEX reveals_expires_at ON reveals(expires_at);
