-- A counter that every write taking something away bumps, in the same
-- transaction: a revoked token or family, a token deleted, a withdrawn
-- grant, a deleted app, a replaced secret. Nodes (and a server beside CLI
-- commands on one file) poll it and drop what they cached when it moves.

CREATE TABLE revision (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	n		INTEGER NOT NULL
);
INSERT INTO revision(id, n) VALUES (1, 0);

CREATE TRIGGER access_revoked AFTER UPDATE OF revoked ON access_tokens
    WHEN NEW.revoked <> OLD.revoked
BEGIN
	UPDATE revision SET n = n + 1;
END;
CREATE TRIGGER access_deleted AFTER DELETE ON access_tokens
BEGIN
	UPDATE revision SET n = n + 1;
END;
CREATE TRIGGER family_revoked AFTER UPDATE OF revoked ON families
    WHEN NEW.revoked <> OLD.revoked
BEGIN
	UPDATE revision SET n = n + 1;
END;
CREATE TRIGGER grant_deleted AFTER DELETE ON grants
BEGIN
	UPDATE revision SET n = n + 1;
END;
CREATE TRIGGER app_deleted AFTER DELETE ON apps
BEGIN
	UPDATE revision SET n = n + 1;
END;
CREATE TRIGGER app_secret_replaced AFTER UPDATE OF secret_hash ON apps
BEGIN
	UPDATE revision SET n = n + 1;
END;
