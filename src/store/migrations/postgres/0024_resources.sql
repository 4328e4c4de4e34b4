-- The APIs keygate guards besides its own: as migrations/sqlite's
-- 0024_resources.sql, in PostgreSQL's types.

CREATE TABLE resources (
	uri		text PRIMARY KEY,
	name		text NOT NULL,
	created_at	bigint NOT NULL
);

CREATE TABLE resource_bits (
	bit		bigint PRIMARY KEY CHECK (bit BETWEEN 8 AND 31),
	uri		text NOT NULL REFERENCES resources(uri)
			    ON DELETE CASCADE,
	scope		text UNIQUE,
	description	text NOT NULL DEFAULT ''
);
CREATE INDEX resource_bits_uri ON resource_bits(uri);

CREATE TRIGGER resource_added AFTER INSERT ON resources
    FOR EACH ROW EXECUTE FUNCTION bump_revision();
CREATE TRIGGER resource_deleted AFTER DELETE ON resources
    FOR EACH ROW EXECUTE FUNCTION bump_revision();
