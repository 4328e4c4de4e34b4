-- The APIs keygate guards besides its own (docs/REFERENCE.md §22.1,
-- RFC 8707). A token's scope column is a mask (core/scopes.h) whose bits
-- 8-31 belong to these resources: each resource holds one bit as its
-- audience, and one per scope it offers. resource_bits makes a bit one
-- resource's only; deleting a resource frees its bits, once the tokens,
-- codes and consents that carried them are revoked or cleared in the
-- same transaction (store_resource_delete).

CREATE TABLE resources (
	uri		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	created_at	INTEGER NOT NULL
);

CREATE TABLE resource_bits (
	bit		INTEGER PRIMARY KEY CHECK (bit BETWEEN 8 AND 31),
	uri		TEXT NOT NULL REFERENCES resources(uri)
			    ON DELETE CASCADE,
	scope		TEXT UNIQUE,		-- NULL: the audience bit
	description	TEXT NOT NULL DEFAULT ''
);
CREATE INDEX resource_bits_uri ON resource_bits(uri);

-- Every node reloads the resources when the revision moves (0004).
CREATE TRIGGER resource_added AFTER INSERT ON resources
BEGIN
	UPDATE revision SET n = n + 1;
END;
CREATE TRIGGER resource_deleted AFTER DELETE ON resources
BEGIN
	UPDATE revision SET n = n + 1;
END;
