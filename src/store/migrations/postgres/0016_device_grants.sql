-- The device flow: as migrations/sqlite's 0016_device_grants.sql, in
-- PostgreSQL's types.

CREATE TABLE device_grants (
	device_hash	bytea PRIMARY KEY CHECK (octet_length(device_hash) = 32),
	user_code	text NOT NULL UNIQUE,
	app_id		bigint NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	scope		bigint NOT NULL,
	created_at	bigint NOT NULL,
	expires_at	bigint NOT NULL,
	interval_s	bigint NOT NULL,
	last_poll	bigint NOT NULL DEFAULT 0,
	slow_down	boolean NOT NULL DEFAULT false,
	state		text NOT NULL DEFAULT 'pending'
			    CHECK (state IN ('pending', 'approved', 'denied')),
	account_id	bigint REFERENCES accounts(id) ON DELETE CASCADE,
	auth_time	bigint NOT NULL DEFAULT 0,
	amr		bigint NOT NULL DEFAULT 0
);
CREATE INDEX device_grants_app ON device_grants(app_id);
CREATE INDEX device_grants_account ON device_grants(account_id)
    WHERE account_id IS NOT NULL;
CREATE INDEX device_grants_expires ON device_grants(expires_at);

ALTER TABLE apps ADD COLUMN device_flow boolean NOT NULL DEFAULT false;

-- Changing the switch moves the revision (the client memo holds it), as
-- in migrations/sqlite's 0016_device_grants.sql.
CREATE TRIGGER app_device_flow_changed AFTER UPDATE OF device_flow ON apps
    FOR EACH ROW WHEN (NEW.device_flow IS DISTINCT FROM OLD.device_flow)
    EXECUTE FUNCTION bump_revision();
