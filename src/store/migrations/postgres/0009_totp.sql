-- Two-step log-in (TOTP, RFC 6238; core/totp.c). An account has a row in
-- totp while two-step log-in is on. The secret must be readable to check
-- codes, so it is kept sealed (XChaCha20-Poly1305) under the server key
-- "totp", bound to the account; last_step is the time step of the last
-- code accepted, so that no code is accepted twice on any node. Recovery
-- codes are kept as SHA-256 hashes and deleted as they are used; they go
-- with the totp row.

CREATE TABLE totp (
	account_id	bigint PRIMARY KEY REFERENCES accounts(id)
			    ON DELETE CASCADE,
	secret		text NOT NULL,
	enabled_at	bigint NOT NULL,
	last_step	bigint NOT NULL
);

CREATE TABLE recovery_codes (
	account_id	bigint NOT NULL REFERENCES totp(account_id)
			    ON DELETE CASCADE,
	hash		bytea NOT NULL CHECK (octet_length(hash) = 32),
	PRIMARY KEY (account_id, hash)
);
