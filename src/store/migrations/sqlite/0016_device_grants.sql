-- The device flow (RFC 8628; docs/REFERENCE.md §15). A device grant is
-- keyed by the SHA-256 of its device code; the person types its user code
-- (8 letters, stored without the dash). state: 'pending' until the person
-- approves or denies (account_id, and for the id_token auth_time and amr,
-- then set). interval_s grows by 5 s at each poll that came too soon
-- (slow_down records whether the last one did); last_poll is when the
-- device last asked. An approval writes, in the same transaction, an
-- auth_codes row keyed by the same hash: the poll exchanges it.

CREATE TABLE device_grants (
	device_hash	BLOB PRIMARY KEY CHECK (length(device_hash) = 32),
	user_code	TEXT NOT NULL UNIQUE,
	app_id		INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	scope		INTEGER NOT NULL,
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	interval_s	INTEGER NOT NULL,
	last_poll	INTEGER NOT NULL DEFAULT 0,
	slow_down	INTEGER NOT NULL DEFAULT 0,
	state		TEXT NOT NULL DEFAULT 'pending'
			    CHECK (state IN ('pending', 'approved', 'denied')),
	account_id	INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
	auth_time	INTEGER NOT NULL DEFAULT 0,
	amr		INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX device_grants_app ON device_grants(app_id);
CREATE INDEX device_grants_account ON device_grants(account_id)
    WHERE account_id IS NOT NULL;
CREATE INDEX device_grants_expires ON device_grants(expires_at);

-- Off by default (docs/REFERENCE.md §2).
ALTER TABLE apps ADD COLUMN device_flow INTEGER NOT NULL DEFAULT 0;

-- The client memo (core/clients.c) holds the switch: turning it off moves
-- the revision, so that no node starts device grants for the app after
-- the keeper's poll.
CREATE TRIGGER app_device_flow_changed AFTER UPDATE OF device_flow ON apps
    WHEN NEW.device_flow <> OLD.device_flow
BEGIN
	UPDATE revision SET n = n + 1;
END;
