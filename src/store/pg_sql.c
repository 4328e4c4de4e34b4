/* Every SQL statement of the PostgreSQL backend, prepared once per pooled
 * connection (pg.c). Parameters carry explicit casts: PostgreSQL infers a
 * parameter's type from its first use, and `$2 = 0` alone would make an
 * id a 32-bit integer. */
#include "store/pg_stmt.h"
#include "store/use_log.h"

#define APP_COLUMNS	"id, account_id, api_key, name, public_name, " \
	"logo_url, description, redirect_uris, implicit_flow, secret_hash, " \
	"created_at, coalesce(secret_created_at, 0), (SELECT disabled_at " \
	"IS NOT NULL FROM accounts o WHERE o.id = apps.account_id), " \
	"id_token_signed_response_alg, post_logout_redirect_uris, " \
	"device_flow, dpop_bound, require_par, " \
	"secret_id, coalesce(secret_used_at, 0), old_secret_hash, " \
	"coalesce(old_secret_id, 0), coalesce(old_secret_created_at, 0), " \
	"coalesce(old_secret_used_at, 0), coalesce(old_secret_expires_at, 0)"
#define ACCOUNT_COLUMNS	"id, email, password_hash, created_at, " \
	"email_verified, coalesce(disabled_at, 0)"
/* as in sqlite_sql.c: a token of a disabled account reads as revoked */
#define DISABLED	"u.disabled_at IS NOT NULL OR o.disabled_at IS NOT NULL"
#define OWNED_BY(n)	"($" #n "::bigint = 0 OR account_id = $" #n ")"
#define TOKEN_JOINS	"JOIN families f ON f.id = t.family_id " \
	"JOIN grants g ON g.id = f.grant_id " \
	"JOIN apps a ON a.id = g.app_id " TOKEN_ACCOUNTS \
	"WHERE t.hash = $1::bytea"
#define TOKEN_ACCOUNTS	"JOIN accounts u ON u.id = g.account_id " \
	"JOIN accounts o ON o.id = a.account_id "

/* A device grant as struct device_row reads it (pg_device.c), as in
 * sqlite_sql.c. */
#define DEVICE_FIELDS	"scope, created_at, expires_at, interval_s, " \
	"slow_down, CASE state WHEN 'approved' THEN 1 WHEN 'denied' THEN 2 " \
	"ELSE 0 END, coalesce(account_id, 0), auth_time, amr"
/* SET's expressions all read the row as it was. */
#define DEVICE_TOO_SOON	"(state = 'pending' AND expires_at > $3::bigint " \
	"AND $3::bigint - last_poll < interval_s)"

const char *const pg_sql[STMT_COUNT] = {
	[STMT_PING] = "SELECT 1",
	[STMT_DURABLE] = "SELECT 1 WHERE current_setting('fsync') = 'on' "
	    "AND current_setting('synchronous_commit') = 'on'",
	[STMT_KEY_INSERT] = "INSERT INTO server_keys(name, key) "
	    "VALUES ($1::text, $2::bytea) ON CONFLICT DO NOTHING",
	[STMT_KEY_GET] = "SELECT key FROM server_keys WHERE name = $1::text",
	[STMT_ACCOUNT_INSERT] = "INSERT INTO accounts(email, password_hash, "
	    "created_at) VALUES ($1::text, $2::text, $3::bigint) "
	    "RETURNING id",
	[STMT_ACCOUNT_BY_EMAIL] = "SELECT " ACCOUNT_COLUMNS " FROM accounts "
	    "WHERE email = $1::text",
	[STMT_ACCOUNT_BY_ID] = "SELECT " ACCOUNT_COLUMNS " FROM accounts "
	    "WHERE id = $1::bigint",
	[STMT_SESSION_INSERT] = "INSERT INTO sessions(hash, account_id, "
	    "created_at, last_seen, address, user_agent, auth_time, amr) "
	    "VALUES ($1::bytea, $2::bigint, $3::bigint, $3::bigint, $4::text, "
	    "$5::text, $3::bigint, $6::bigint)",
	/* as in sqlite_sql.c: none of a disabled account */
	[STMT_SESSION_GET] = "SELECT s.account_id, s.created_at, s.last_seen, "
	    "s.auth_time, s.amr FROM sessions s JOIN accounts a ON a.id = s.account_id "
	    "WHERE s.hash = $1::bytea AND a.disabled_at IS NULL",
	[STMT_SESSION_TOUCH] = "UPDATE sessions SET last_seen = $2::bigint "
	    "WHERE hash = $1::bytea AND last_seen < $2::bigint",
	[STMT_SESSION_DELETE] = "DELETE FROM sessions WHERE hash = $1::bytea",
	[STMT_SESSION_REAUTH] = "UPDATE sessions SET auth_time = $2::bigint, "
	    "amr = $3::bigint WHERE hash = $1::bytea",
	/* keeps $2 and the most recently seen of the others */
	[STMT_SESSION_TRIM] = "DELETE FROM sessions WHERE account_id = "
	    "$1::bigint AND hash NOT IN (SELECT hash FROM sessions WHERE "
	    "account_id = $1::bigint ORDER BY hash = $2::bytea DESC, "
	    "last_seen DESC, created_at DESC, hash LIMIT $3::bigint)",
	/* after STMT_ACCOUNT_LOCK, in its transaction: a statement of its
	 * own, so that its snapshot sees what the lock waited for */
	[STMT_PAT_INSERT] = "INSERT INTO personal_tokens(account_id, hash, "
	    "created_at) SELECT $1::bigint, $2::bytea, $3::bigint "
	    "WHERE (SELECT count(*) FROM personal_tokens WHERE account_id = "
	    "$1::bigint) < $4::bigint RETURNING id",
	[STMT_PAT_BY_HASH] = "SELECT p.id, p.account_id, p.created_at, "
	    "coalesce(p.last_used_at, 0) FROM personal_tokens p "
	    "JOIN accounts a ON a.id = p.account_id "
	    "WHERE p.hash = $1::bytea AND a.disabled_at IS NULL",
	[STMT_PAT_LIST] = "SELECT id, account_id, created_at, "
	    "coalesce(last_used_at, 0) FROM personal_tokens "
	    "WHERE account_id = $1::bigint AND ($2::bigint = 0 OR "
	    "id < $2::bigint) ORDER BY id DESC LIMIT $3::bigint",
	[STMT_PAT_DELETE] = "DELETE FROM personal_tokens "
	    "WHERE id = $1::bigint AND account_id = $2::bigint",
	[STMT_PAT_TOUCH] = "UPDATE personal_tokens SET last_used_at = "
	    "$2::bigint WHERE id = $1::bigint AND "
	    "coalesce(last_used_at, 0) < $2::bigint",
	[STMT_APP_INSERT] = "INSERT INTO apps(account_id, api_key, name, "
	    "public_name, logo_url, description, redirect_uris, "
	    "implicit_flow, id_token_signed_response_alg, "
	    "post_logout_redirect_uris, device_flow, dpop_bound, require_par, "
	    "created_at, secret_hash, secret_created_at, secret_id) SELECT "
	    "$1::bigint, $2::text, $3::text, $4::text, $5::text, $6::text, "
	    "$7::text, $8::boolean, $9::text, $10::text, $11::boolean, "
	    "$12::boolean, $13::boolean, $14::bigint, $16::bytea, "
	    "NULLIF($17::bigint, 0), $18::bigint WHERE (SELECT count(*) "
	    "FROM apps WHERE account_id = $1::bigint) < $15::bigint "
	    "RETURNING id",
	[STMT_APP_GET] = "SELECT " APP_COLUMNS " FROM apps "
	    "WHERE api_key = $1::text AND " OWNED_BY(2),
	[STMT_APP_LIST] = "SELECT " APP_COLUMNS " FROM apps WHERE "
	    OWNED_BY(1) " AND id > $2::bigint ORDER BY id LIMIT $3::bigint",
	[STMT_APP_UPDATE] = "UPDATE apps SET public_name = $1::text, "
	    "logo_url = $2::text, description = $3::text, "
	    "redirect_uris = $4::text, implicit_flow = $5::boolean, "
	    "id_token_signed_response_alg = $6::text, "
	    "post_logout_redirect_uris = $7::text, device_flow = $8::boolean, "
	    "dpop_bound = $9::boolean, require_par = $10::boolean "
	    "WHERE id = $11::bigint",
	[STMT_APP_DELETE] = "DELETE FROM apps WHERE api_key = $1::text AND "
	    OWNED_BY(2),
	/* as sqlite_sql.c's */
	[STMT_APP_SET_SECRET] = "UPDATE apps SET "
	    "old_secret_hash = CASE WHEN $5::bigint > 0 THEN secret_hash END, "
	    "old_secret_id = CASE WHEN $5 > 0 AND secret_hash IS NOT NULL "
	    "THEN secret_id END, "
	    "old_secret_created_at = CASE WHEN $5 > 0 AND secret_hash IS NOT "
	    "NULL THEN secret_created_at END, "
	    "old_secret_used_at = CASE WHEN $5 > 0 AND secret_hash IS NOT "
	    "NULL THEN secret_used_at END, "
	    "old_secret_expires_at = CASE WHEN $5 > 0 AND secret_hash IS NOT "
	    "NULL THEN $4::bigint + $5 END, "
	    "secret_hash = $3::bytea, secret_created_at = $4, "
	    "secret_id = secret_id + 1, secret_used_at = NULL "
	    "WHERE api_key = $1::text AND " OWNED_BY(2) " "
	    "AND (old_secret_hash IS NULL OR old_secret_expires_at <= $4)",
	[STMT_APP_REVOKE_OLD_SECRET] = "UPDATE apps SET "
	    "old_secret_hash = NULL, old_secret_id = NULL, "
	    "old_secret_created_at = NULL, old_secret_used_at = NULL, "
	    "old_secret_expires_at = NULL "
	    "WHERE api_key = $1::text AND " OWNED_BY(2) " "
	    "AND old_secret_hash IS NOT NULL AND old_secret_id = $3::bigint "
	    "AND old_secret_expires_at > $4::bigint",
	[STMT_APP_SECRET_USED] = "UPDATE apps SET "
	    "secret_used_at = CASE WHEN secret_id = $2::bigint AND "
	    "coalesce(secret_used_at, 0) < $3::bigint THEN $3 "
	    "ELSE secret_used_at END, "
	    "old_secret_used_at = CASE WHEN old_secret_id = $2 AND "
	    "coalesce(old_secret_used_at, 0) < $3 THEN $3 "
	    "ELSE old_secret_used_at END WHERE id = $1::bigint",
	[STMT_APP_REUSE_NOTICE] = "INSERT INTO app_notices(app_id, "
	    "reuse_at) SELECT id, $2::bigint FROM apps WHERE id = $1::bigint "
	    "ON CONFLICT (app_id) DO UPDATE SET reuse_at = excluded.reuse_at "
	    "WHERE app_notices.reuse_at <= $2::bigint - $3::bigint",

	/* Serializes the capped inserts of one owner (apps, personal
	 * tokens) for the rest of the transaction. NO KEY UPDATE leaves the
	 * foreign-key checks of other inserts (KEY SHARE) free to go on. */
	[STMT_ACCOUNT_LOCK] = "SELECT id FROM accounts WHERE id = $1::bigint "
	    "FOR NO KEY UPDATE",
	[STMT_BEGIN] = "BEGIN",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	/* one item of a group commit (store_issue_many) */
	[STMT_SAVEPOINT] = "SAVEPOINT kg_item",
	[STMT_RELEASE] = "RELEASE kg_item",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO kg_item",
	[STMT_GRANT_UPSERT] = "INSERT INTO grants(account_id, app_id, scope, "
	    "created_at) VALUES ($1::bigint, $2::bigint, $3::bigint, "
	    "$4::bigint) ON CONFLICT (account_id, app_id) DO UPDATE "
	    "SET scope = grants.scope | excluded.scope RETURNING id",
	[STMT_GRANT_GET] = "SELECT id, scope FROM grants "
	    "WHERE account_id = $1::bigint AND app_id = $2::bigint",
	[STMT_GRANT_DELETE] = "DELETE FROM grants "
	    "WHERE account_id = $1::bigint AND app_id = $2::bigint",
	[STMT_GRANT_LIST] = "SELECT g.id, g.app_id, g.scope, g.created_at, "
	    "a.api_key, a.public_name FROM grants g JOIN apps a "
	    "ON a.id = g.app_id WHERE g.account_id = $1::bigint "
	    "AND g.id > $2::bigint ORDER BY g.id LIMIT $3::bigint",
	[STMT_CODE_INSERT] = "INSERT INTO auth_codes(hash, grant_id, "
	    "redirect_uri, scope, challenge, expires_at, nonce, auth_time, "
	    "amr, jkt) VALUES ($1::bytea, $2::bigint, $3::text, $4::bigint, "
	    "$5::text, $6::bigint, $7::text, $8::bigint, $9::bigint, "
	    "$10::bytea)",
	[STMT_CODE_USE] = "UPDATE auth_codes SET used = 1 "
	    "WHERE hash = $1::bytea AND used = 0 AND (SELECT app_id "
	    "FROM grants WHERE id = auth_codes.grant_id) = $2::bigint",
	[STMT_CODE_GET] = "SELECT c.grant_id, g.account_id, g.app_id, "
	    "c.redirect_uri, c.scope, c.challenge, c.expires_at, "
	    "c.used <> 0, coalesce(c.family_id, 0), c.nonce, c.auth_time, "
	    "c.amr, c.jkt FROM auth_codes c "
	    "JOIN grants g ON g.id = c.grant_id WHERE c.hash = $1::bytea",
	[STMT_CODE_FAMILY] = "UPDATE auth_codes SET used = 1, "
	    "family_id = $1::bigint WHERE hash = $2::bytea AND used = 0 "
	    "AND (SELECT app_id FROM grants "
	    "WHERE id = auth_codes.grant_id) = $3::bigint",
	[STMT_FAMILY_INSERT] = "INSERT INTO families(grant_id, scope, "
	    "created_at, auth_time, amr) VALUES ($1::bigint, $2::bigint, "
	    "$3::bigint, $4::bigint, $5::bigint) RETURNING id",
	[STMT_FAMILY_REVOKE] = "UPDATE families SET revoked = true "
	    "WHERE id = $1::bigint AND NOT revoked",
	[STMT_ACCESS_INSERT] = "INSERT INTO access_tokens(hash, family_id, "
	    "parent, scope, iat, jkt) VALUES ($1::bytea, $2::bigint, "
	    "$3::bytea, $4::bigint, $5::bigint, $6::bytea)",
	[STMT_ACCESS_GET] = "SELECT t.family_id, f.grant_id, g.account_id, "
	    "g.app_id, a.api_key, t.scope, f.scope, t.iat, t.last_used, "
	    "t.revoked OR f.revoked OR " DISABLED ", t.jkt "
	    "FROM access_tokens t " TOKEN_JOINS,
	/* The larger time wins: a node whose clock lags behind another's
	 * never shortens a token's life. */
	[STMT_ACCESS_TOUCH] = "UPDATE access_tokens SET last_used = $2::bigint "
	    "WHERE hash = $1::bytea AND last_used < $2::bigint",
	/* the use log's own encoding (use_log.h): 40 bytes a use, the
	 * hash then the time big-endian; in the batch's (hash) order */
	[STMT_ACCESS_TOUCH_MANY] = "UPDATE access_tokens t "
	    "SET last_used = v.at FROM (SELECT "
	    "substring($1::bytea FROM i * 40 + 1 FOR 32) AS hash, "
	    "('x' || encode(substring($1::bytea FROM i * 40 + 33 FOR 8), "
	    "'hex'))::bit(64)::bigint AS at "
	    "FROM generate_series(0, length($1::bytea) / 40 - 1) AS i) v "
	    "WHERE t.hash = v.hash AND t.last_used < v.at",
	[STMT_USE_LOG_DELETE_MANY] = "DELETE FROM use_log "
	    "WHERE id = ANY($1::bigint[])",
	/* One round trip for the three writes of a rotation: the inserts
	 * select from the compare-and-set's RETURNING, so a rotation that
	 * loses it inserts nothing; a row back says it won. */
	[STMT_REFRESH_ROTATE] = "WITH used AS (UPDATE refresh_tokens "
	    "SET used_at = $1::bigint WHERE hash = $2::bytea AND used_at = 0 "
	    "RETURNING hash), "
	    "a AS (INSERT INTO access_tokens(hash, family_id, parent, scope, "
	    "iat, jkt) SELECT $3::bytea, $5::bigint, hash, $6::bigint, "
	    "$1::bigint, $7::bytea FROM used), "
	    "r AS (INSERT INTO refresh_tokens(hash, family_id, parent, scope, "
	    "created_at, jkt) SELECT $4::bytea, $5::bigint, hash, $6::bigint, "
	    "$1::bigint, $8::bytea FROM used) "
	    "SELECT 1 FROM used",
	[STMT_REVISION] = "SELECT n FROM revision",
	[STMT_USE_LOG_APPEND] = "INSERT INTO use_log(uses) VALUES ($1::bytea)",
	[STMT_USE_LOG_READ] = "SELECT id, uses FROM use_log "
	    "WHERE id > $1::bigint AND id <= $2::bigint ORDER BY id "
	    "LIMIT " USE_LOG_READ_SQL,
	/* by id, never by range: a row appended meanwhile with a lower id
	 * (ids are taken before commit) was not read */
	[STMT_USE_LOG_DELETE] = "DELETE FROM use_log WHERE id = $1::bigint",
	[STMT_ACCESS_PAGE] = "SELECT t.family_id, f.grant_id, g.account_id, "
	    "g.app_id, a.api_key, t.scope, f.scope, t.iat, t.last_used, "
	    "false, t.hash, t.jkt FROM access_tokens t "
	    "JOIN families f ON f.id = t.family_id "
	    "JOIN grants g ON g.id = f.grant_id "
	    "JOIN apps a ON a.id = g.app_id " TOKEN_ACCOUNTS
	    "WHERE t.hash > $1::bytea AND t.iat >= $2::bigint AND "
	    "NOT t.revoked AND NOT f.revoked AND NOT (" DISABLED ") "
	    "ORDER BY t.hash LIMIT $3::bigint",
	[STMT_ACCESS_REVOKE] = "UPDATE access_tokens SET revoked = true "
	    "WHERE hash = $1::bytea",
	[STMT_ACCESS_DROP_CHILD] = "DELETE FROM access_tokens "
	    "WHERE parent = $1::bytea AND last_used = 0 AND NOT revoked",
	[STMT_REFRESH_INSERT] = "INSERT INTO refresh_tokens(hash, family_id, "
	    "parent, scope, created_at, jkt) VALUES ($1::bytea, $2::bigint, "
	    "$3::bytea, $4::bigint, $5::bigint, $6::bytea)",
	[STMT_REFRESH_GET] = "SELECT t.family_id, f.grant_id, g.account_id, "
	    "g.app_id, a.api_key, t.scope, f.scope, t.created_at, t.used_at, "
	    "f.revoked OR " DISABLED ", f.auth_time, f.amr, t.jkt "
	    "FROM refresh_tokens t " TOKEN_JOINS,
	[STMT_REFRESH_USE] = "UPDATE refresh_tokens SET used_at = $1::bigint "
	    "WHERE hash = $2::bytea AND used_at = 0",
	[STMT_REFRESH_DROP_CHILD] = "DELETE FROM refresh_tokens "
	    "WHERE parent = $1::bytea AND used_at = 0",
	/* as in sqlite_sql.c */
	[STMT_GC_ACCESS] = "DELETE FROM access_tokens WHERE hash IN ("
	    "SELECT hash FROM access_tokens WHERE iat <= $2::bigint OR "
	    "CASE WHEN last_used = 0 THEN iat <= $1::bigint "
	    "ELSE last_used <= $3::bigint END LIMIT $4::bigint)",
	[STMT_GC_CODES] = "DELETE FROM auth_codes WHERE hash IN ("
	    "SELECT hash FROM auth_codes WHERE expires_at <= $1::bigint "
	    "LIMIT $2::bigint)",
	[STMT_GC_SESSIONS] = "DELETE FROM sessions WHERE hash IN ("
	    "SELECT hash FROM sessions WHERE last_seen <= $1::bigint OR "
	    "created_at <= $2::bigint LIMIT $3::bigint)",
	[STMT_STATS] = "SELECT (SELECT count(*) FROM accounts), "
	    "(SELECT count(*) FROM apps), (SELECT count(*) FROM grants), "
	    "(SELECT count(*) FROM access_tokens t JOIN families f "
	    "ON f.id = t.family_id WHERE NOT t.revoked AND NOT f.revoked AND "
	    "t.iat > $2::bigint AND CASE WHEN t.last_used = 0 "
	    "THEN t.iat > $1::bigint ELSE t.last_used > $3::bigint END), "
	    "(SELECT count(*) FROM refresh_tokens r JOIN families f "
	    "ON f.id = r.family_id WHERE r.used_at = 0 AND NOT f.revoked), "
	    "(SELECT count(*) FROM sessions WHERE last_seen > $4::bigint AND "
	    "created_at > $5::bigint)",
	/* as in sqlite_sql.c */
	[STMT_GC_REVEALS] = "DELETE FROM reveals WHERE hash IN ("
	    "SELECT hash FROM reveals WHERE expires_at <= $1::bigint "
	    "LIMIT $2::bigint)",
	[STMT_REVEAL_INSERT] = "INSERT INTO reveals(hash, expires_at) "
	    "VALUES ($1::bytea, $2::bigint)",
	[STMT_REVEAL_TAKE] = "DELETE FROM reveals WHERE hash = $1::bytea "
	    "RETURNING expires_at",
	/* as in sqlite_sql.c; one statement, so concurrent nodes never
	 * count past each other */
	[STMT_THROTTLE_ADD] = "INSERT INTO throttle_counts AS t(key, "
	    "window_end, count) VALUES ($1::bytea, $2::bigint + $3::bigint, 1) "
	    "ON CONFLICT (key) DO UPDATE SET count = CASE WHEN t.window_end > "
	    "$2::bigint THEN t.count + 1 ELSE 1 END, window_end = CASE WHEN "
	    "t.window_end > $2::bigint THEN t.window_end "
	    "ELSE excluded.window_end END RETURNING count, window_end",
	[STMT_THROTTLE_UNDO] = "UPDATE throttle_counts SET count = count - 1 "
	    "WHERE key = $1::bytea AND window_end = $2::bigint AND count > 0",
	[STMT_THROTTLE_CLEAR] = "DELETE FROM throttle_counts "
	    "WHERE key = $1::bytea",
	[STMT_THROTTLE_EXPIRE] = "DELETE FROM throttle_counts WHERE key IN ("
	    "SELECT key FROM throttle_counts WHERE window_end <= $1::bigint "
	    "LIMIT $2::bigint)",
	/* as in sqlite_sql.c */
	[STMT_MAIL_ADD] = "INSERT INTO mail_queue(recipient, message, "
	    "created_at, next_at) VALUES ($1::text, $2::text, $3::bigint, "
	    "$3::bigint) RETURNING id",
	/* Nodes claiming at once skip each other's locked row rather than
	 * wait for it; one that finds the row changed under it rechecks the
	 * WHERE (READ COMMITTED) and sees the new lease. */
	[STMT_MAIL_CLAIM] = "UPDATE mail_queue SET lease_until = $2::bigint "
	    "WHERE id = (SELECT id FROM mail_queue WHERE next_at <= $1::bigint "
	    "AND lease_until <= $1::bigint ORDER BY next_at, id LIMIT 1 "
	    "FOR UPDATE SKIP LOCKED) AND next_at <= $1::bigint AND "
	    "lease_until <= $1::bigint RETURNING id, recipient, message, "
	    "created_at, attempts, last_error",
	[STMT_MAIL_DELETE] = "DELETE FROM mail_queue WHERE id = $1::bigint",
	[STMT_MAIL_RETRY] = "UPDATE mail_queue SET attempts = $2::bigint, "
	    "next_at = $3::bigint, last_error = $4::text, lease_until = 0 "
	    "WHERE id = $1::bigint",
	[STMT_TOTP_INSERT] = "INSERT INTO totp(account_id, secret, "
	    "enabled_at, last_step) VALUES ($1::bigint, $2::text, $3::bigint, "
	    "$4::bigint)",
	[STMT_TOTP_GET] = "SELECT secret, enabled_at, last_step FROM totp "
	    "WHERE account_id = $1::bigint",
	[STMT_TOTP_STEP] = "UPDATE totp SET last_step = $2::bigint "
	    "WHERE account_id = $1::bigint AND last_step < $2::bigint",
	[STMT_TOTP_DELETE] = "DELETE FROM totp WHERE account_id = $1::bigint",
	[STMT_RECOVERY_INSERT] = "INSERT INTO recovery_codes(account_id, "
	    "hash) VALUES ($1::bigint, $2::bytea)",
	[STMT_RECOVERY_LIST] = "SELECT hash FROM recovery_codes "
	    "WHERE account_id = $1::bigint ORDER BY hash LIMIT $2::bigint",
	[STMT_RECOVERY_TAKE] = "DELETE FROM recovery_codes "
	    "WHERE account_id = $1::bigint AND hash = $2::bytea",

	/* accounts people can recover (pg_links.c), as in sqlite_sql.c */
	[STMT_SESSION_LIST] = "SELECT account_id, created_at, last_seen, "
	    "hash, address, user_agent FROM sessions "
	    "WHERE account_id = $1::bigint "
	    "ORDER BY last_seen DESC, created_at DESC, hash LIMIT $2::bigint",
	[STMT_SESSION_END] = "DELETE FROM sessions "
	    "WHERE hash = $1::bytea AND account_id = $2::bigint",
	[STMT_SESSION_END_OTHERS] = "DELETE FROM sessions "
	    "WHERE account_id = $1::bigint AND hash <> $2::bytea",
	[STMT_ACCOUNT_VERIFY] = "UPDATE accounts SET email_verified = true "
	    "WHERE id = $1::bigint AND email = $2::text",
	[STMT_ACCOUNT_SET_EMAIL] = "UPDATE accounts SET email = $2::text, "
	    "email_verified = true WHERE id = $1::bigint",
	/* as in sqlite_sql.c; the row locked, so that of two links to one
	 * new address confirmed at once the second sees it taken */
	[STMT_ACCOUNT_EMAIL_SAME] = "SELECT (email = $2::text)::int FROM "
	    "accounts WHERE id = $1::bigint FOR NO KEY UPDATE",
	[STMT_ACCOUNT_SET_PASSWORD] = "UPDATE accounts "
	    "SET password_hash = $2::text WHERE id = $1::bigint",
	[STMT_LINK_CLEAR] = "DELETE FROM account_links "
	    "WHERE account_id = $1::bigint AND purpose = $2::integer",
	[STMT_LINK_INSERT] = "INSERT INTO account_links(hash, account_id, "
	    "purpose, email, expires_at) VALUES ($1::bytea, $2::bigint, "
	    "$3::bigint, $4::text, $5::bigint)",
	[STMT_LINK_GET] = "SELECT account_id, purpose, email, expires_at "
	    "FROM account_links WHERE hash = $1::bytea "
	    "AND purpose = $2::integer",
	[STMT_LINK_TAKE] = "DELETE FROM account_links "
	    "WHERE hash = $1::bytea AND purpose = $2::integer "
	    "RETURNING account_id, purpose, email, expires_at",

	/* as in sqlite_sql.c */
	[STMT_ACCOUNT_LIST] = "SELECT " ACCOUNT_COLUMNS " FROM accounts "
	    "WHERE id > $1::bigint ORDER BY id LIMIT $2::bigint",
	[STMT_ACCOUNT_COUNTS] = "SELECT "
	    "(SELECT count(*) FROM sessions WHERE account_id = $1::bigint "
	    "AND last_seen > $2::bigint AND created_at > $3::bigint), "
	    "(SELECT count(*) FROM personal_tokens "
	    "WHERE account_id = $1::bigint), "
	    "(SELECT count(*) FROM grants WHERE account_id = $1::bigint)",
	[STMT_ACCOUNT_DISABLE] = "UPDATE accounts SET disabled_at = "
	    "$2::bigint WHERE id = $1::bigint AND disabled_at IS NULL",
	[STMT_ACCOUNT_ENABLE] = "UPDATE accounts SET disabled_at = NULL "
	    "WHERE id = $1::bigint",
	[STMT_ACCOUNT_END_SESSIONS] = "DELETE FROM sessions "
	    "WHERE account_id = $1::bigint",
	[STMT_ACCOUNT_END_PATS] = "DELETE FROM personal_tokens "
	    "WHERE account_id = $1::bigint",
	[STMT_ACCOUNT_END_CODES] = "DELETE FROM auth_codes WHERE used = 0 "
	    "AND grant_id IN (SELECT id FROM grants WHERE account_id = "
	    "$1::bigint OR app_id IN (SELECT id FROM apps "
	    "WHERE account_id = $1::bigint))",
	[STMT_ACCOUNT_END_FAMILIES] = "UPDATE families SET revoked = true "
	    "WHERE NOT revoked AND grant_id IN (SELECT id FROM grants "
	    "WHERE account_id = $1::bigint)",
	[STMT_ACCOUNT_DELETE] = "DELETE FROM accounts WHERE id = $1::bigint",
	/* as in sqlite_sql.c: nodes starting together on an empty table
	 * race here, and the loser's row is simply not written */
	[STMT_SIGNING_KEY_ADD] = "INSERT INTO signing_keys(kid, alg, seq, "
	    "public_jwk, private_sealed, created_at, active_from) "
	    "VALUES ($1::text, $2::text, $3::bigint, $4::text, $5::text, "
	    "$6::bigint, $7::bigint) ON CONFLICT (alg, seq) DO NOTHING",
	[STMT_SIGNING_KEY_LIST] = "SELECT kid, alg, seq, public_jwk, "
	    "private_sealed, created_at, active_from FROM signing_keys "
	    "ORDER BY alg, seq",
	/* as in sqlite_sql.c */
	[STMT_RESOURCE_INSERT] = "INSERT INTO resources(uri, name, "
	    "created_at) VALUES ($1::text, $2::text, $3::bigint)",
	[STMT_RESOURCE_BIT_INSERT] = "INSERT INTO resource_bits(bit, uri, "
	    "scope, description) VALUES ($1::bigint, $2::text, "
	    "nullif($3::text, ''), $4::text)",
	[STMT_RESOURCE_LIST] = "SELECT r.uri, r.name, r.created_at, b.bit, "
	    "coalesce(b.scope, ''), b.description FROM resources r "
	    "JOIN resource_bits b ON b.uri = r.uri ORDER BY r.uri, b.bit",
	[STMT_RESOURCE_FAMILIES_REVOKE] = "UPDATE families SET revoked = true "
	    "WHERE NOT revoked AND (scope & $1::bigint) <> 0",
	[STMT_RESOURCE_CODES_DELETE] = "DELETE FROM auth_codes "
	    "WHERE (scope & $1::bigint) <> 0",
	[STMT_RESOURCE_DEVICE_DELETE] = "DELETE FROM device_grants "
	    "WHERE (scope & $1::bigint) <> 0",
	[STMT_RESOURCE_GRANTS_EMPTY_DELETE] = "DELETE FROM grants "
	    "WHERE (scope & $1::bigint) <> 0 AND (scope & $2::bigint) = 0",
	[STMT_RESOURCE_GRANTS_NARROW] = "UPDATE grants SET scope = "
	    "scope & ~$1::bigint WHERE (scope & $1::bigint) <> 0",
	[STMT_RESOURCE_DELETE] = "DELETE FROM resources WHERE uri = $1::text",
	[STMT_DEVICE_INSERT] = "INSERT INTO device_grants(device_hash, "
	    "user_code, app_id, scope, created_at, expires_at, interval_s) "
	    "VALUES ($1::bytea, $2::text, $3::bigint, $4::bigint, $5::bigint, "
	    "$6::bigint, $7::bigint)",
	[STMT_DEVICE_FIND] = "SELECT d.user_code, d.app_id, a.api_key, "
	    "d.scope, d.created_at, d.expires_at, d.interval_s, d.slow_down, "
	    "CASE d.state WHEN 'approved' THEN 1 WHEN 'denied' THEN 2 ELSE 0 "
	    "END, coalesce(d.account_id, 0), d.auth_time, d.amr "
	    "FROM device_grants d JOIN apps a ON a.id = d.app_id "
	    "WHERE d.user_code = $1::text AND d.state = 'pending' "
	    "AND d.expires_at > $2::bigint",
	/* the compare-and-set of a decision: under READ COMMITTED the
	 * second of two racing waits, re-reads the state, changes nothing */
	[STMT_DEVICE_DECIDE] = "UPDATE device_grants SET state = $2::text, "
	    "account_id = $3::bigint, auth_time = $4::bigint, "
	    "amr = $5::bigint WHERE user_code = $1::text "
	    "AND state = 'pending' AND expires_at > $6::bigint "
	    "RETURNING device_hash, app_id, scope, expires_at",
	[STMT_DEVICE_POLL] = "UPDATE device_grants SET slow_down = "
	    DEVICE_TOO_SOON ", interval_s = interval_s + CASE WHEN "
	    DEVICE_TOO_SOON " THEN $4::bigint ELSE 0 END, "
	    "last_poll = $3::bigint "
	    "WHERE device_hash = $1::bytea AND app_id = $2::bigint "
	    "RETURNING user_code, app_id, '', " DEVICE_FIELDS,
	[STMT_GC_DEVICE] = "DELETE FROM device_grants WHERE device_hash IN ("
	    "SELECT device_hash FROM device_grants "
	    "WHERE expires_at <= $1::bigint LIMIT $2::bigint)",
	/* a row of a proof expired since may be taken again: a jti a client
	 * reuses much later is not a replay */
	[STMT_DPOP_JTI_CLAIM] = "INSERT INTO dpop_jtis AS d(hash, expires_at) "
	    "VALUES ($1::bytea, $2::bigint) ON CONFLICT (hash) DO UPDATE SET "
	    "expires_at = excluded.expires_at WHERE d.expires_at <= $3::bigint",
	[STMT_GC_DPOP] = "DELETE FROM dpop_jtis WHERE hash IN ("
	    "SELECT hash FROM dpop_jtis "
	    "WHERE expires_at <= $1::bigint LIMIT $2::bigint)",
	[STMT_PAR_INSERT] = "INSERT INTO par_requests(hash, app_id, params, "
	    "created_at, expires_at) VALUES ($1::bytea, $2::bigint, $3::text, "
	    "$4::bigint, $5::bigint)",
	[STMT_PAR_GET] = "SELECT app_id, params, created_at, expires_at "
	    "FROM par_requests WHERE hash = $1::bytea AND NOT used AND "
	    "expires_at > $2::bigint",
	[STMT_PAR_USE] = "UPDATE par_requests SET used = true "
	    "WHERE hash = $1::bytea AND app_id = $2::bigint AND NOT used AND "
	    "expires_at > $3::bigint",
	[STMT_GC_PAR] = "DELETE FROM par_requests WHERE hash IN ("
	    "SELECT hash FROM par_requests WHERE expires_at <= $1::bigint "
	    "LIMIT $2::bigint)",
	[STMT_EVENT_INSERT] = "INSERT INTO events(at, account_id, kind, "
	    "address, app_id, app_key, detail) VALUES ($1::bigint, "
	    "$2::bigint, $3::integer, $4::text, nullif($5::bigint, 0), "
	    "coalesce(nullif($6::text, ''), (SELECT api_key FROM apps "
	    "WHERE id = $5::bigint), ''), $7::text)",
	/* as in sqlite_sql.c; the apps' events a LATERAL walk down each
	 * app's (app_id, id), at most $5 of each */
	[STMT_EVENT_LIST] = "(SELECT id, at, account_id, kind, address, "
	    "app_key, detail FROM events WHERE account_id = $1::bigint AND "
	    "id < $4::bigint AND ($2::integer < 0 OR kind = $2::integer) AND "
	    "($3::bigint = 0 OR (app_id = $3::bigint AND app_key = (SELECT "
	    "api_key FROM apps WHERE id = $3::bigint AND account_id = "
	    "$1::bigint))) ORDER BY id DESC LIMIT $5::bigint) UNION ALL "
	    "SELECT e.* FROM apps a CROSS JOIN LATERAL (SELECT x.id, x.at, "
	    "x.account_id, x.kind, '' AS address, x.app_key, x.detail FROM "
	    "events x WHERE x.app_id = a.id AND x.app_key = a.api_key AND "
	    "x.account_id <> $1::bigint AND x.id < $4::bigint AND "
	    "($2::integer < 0 OR x.kind = $2::integer) ORDER BY x.id DESC "
	    "LIMIT $5::bigint) e WHERE a.account_id = $1::bigint AND "
	    "($3::bigint = 0 OR a.id = $3::bigint) ORDER BY 1 DESC "
	    "LIMIT $5::bigint",
	[STMT_GC_EVENTS] = "DELETE FROM events WHERE id IN ("
	    "SELECT id FROM events WHERE at < $1::bigint LIMIT $2::bigint)",
	/* as in sqlite_sql.c */
	/* one row per element of the arrays, in their (app_id, hour)
	 * order; a count for an app deleted meanwhile is dropped, not
	 * refused (the foreign key would fail every batch after it); ids
	 * are never reused here */
	[STMT_USAGE_ADD] = "INSERT INTO usage AS s(app_id, hour, checks_ok, "
	    "checks_401, api_ok, api_401, issued, refreshed) "
	    "SELECT u.app_id, u.hour, u.c1, u.c2, u.c3, u.c4, u.c5, u.c6 "
	    "FROM unnest($1::bigint[], $2::bigint[], "
	    "$3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], "
	    "$7::bigint[], $8::bigint[]) WITH ORDINALITY AS u(app_id, hour, "
	    "c1, c2, c3, c4, c5, c6, i) WHERE EXISTS (SELECT 1 FROM apps "
	    "WHERE id = u.app_id) ORDER BY u.i "
	    "ON CONFLICT (app_id, hour) DO UPDATE SET "
	    "checks_ok = s.checks_ok + excluded.checks_ok, "
	    "checks_401 = s.checks_401 + excluded.checks_401, "
	    "api_ok = s.api_ok + excluded.api_ok, "
	    "api_401 = s.api_401 + excluded.api_401, "
	    "issued = s.issued + excluded.issued, "
	    "refreshed = s.refreshed + excluded.refreshed",
	[STMT_USAGE_LIVE] = "INSERT INTO usage AS s(app_id, hour, live_users) "
	    "SELECT p.id, $1::bigint, (SELECT count(*) FROM grants g "
	    "JOIN accounts u ON u.id = g.account_id "
	    "WHERE g.app_id = p.id AND u.disabled_at IS NULL) FROM apps p "
	    "WHERE p.id IN (SELECT app_id FROM grants UNION "
	    "SELECT app_id FROM usage WHERE hour = $1::bigint) ORDER BY p.id "
	    "ON CONFLICT (app_id, hour) DO UPDATE SET "
	    "live_users = excluded.live_users",
	[STMT_USAGE_READ] = "SELECT hour, checks_ok, checks_401, api_ok, "
	    "api_401, issued, refreshed, live_users FROM usage "
	    "WHERE app_id = $1::bigint AND hour >= $2::bigint AND "
	    "hour <= $3::bigint ORDER BY hour",
	[STMT_GC_USAGE] = "DELETE FROM usage WHERE (app_id, hour) IN ("
	    "SELECT app_id, hour FROM usage WHERE hour < $1::bigint "
	    "LIMIT $2::bigint)",
	/* as sqlite_sql.c's */
	[STMT_CIMD_OWNER] = "INSERT INTO accounts(email, password_hash, "
	    "created_at) VALUES ('" CIMD_OWNER_EMAIL "', '!', $1::bigint) "
	    "ON CONFLICT (email) DO NOTHING",
	[STMT_CIMD_PUT] = "INSERT INTO apps AS a(account_id, api_key, name, "
	    "public_name, logo_url, redirect_uris, created_at, "
	    "cimd_fetched_at) SELECT id, $1::text, $2::text, $2::text, "
	    "$3::text, $4::text, $5::bigint, $5::bigint "
	    "FROM accounts WHERE email = '" CIMD_OWNER_EMAIL "' "
	    "ON CONFLICT (api_key) DO UPDATE SET name = excluded.name, "
	    "public_name = excluded.public_name, "
	    "logo_url = excluded.logo_url, "
	    "redirect_uris = excluded.redirect_uris, "
	    "cimd_fetched_at = excluded.cimd_fetched_at "
	    "WHERE a.cimd_fetched_at IS NOT NULL",
};
