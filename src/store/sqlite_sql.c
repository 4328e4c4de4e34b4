/* Every SQL statement of the SQLite backend, prepared once per
 * connection (sqlite_stmt()). */
#include "store/sqlite_stmt.h"
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
/* A token's two accounts: the grant's (the end user) and the app's owner.
 * Either one disabled makes the token read as revoked: the cache keeps it
 * so, and the revision that moves on enable drops it again. */
#define TOKEN_ACCOUNTS	"JOIN accounts u ON u.id = g.account_id " \
	"JOIN accounts o ON o.id = a.account_id "
#define DISABLED	"u.disabled_at IS NOT NULL OR o.disabled_at IS NOT NULL"

/* A device grant as struct device_row reads it (sqlite_device.c); the
 * RETURNING form leaves the app's api_key out. */
#define DEVICE_FIELDS	"scope, created_at, expires_at, interval_s, " \
	"slow_down, CASE state WHEN 'approved' THEN 1 WHEN 'denied' THEN 2 " \
	"ELSE 0 END, coalesce(account_id, 0), auth_time, amr"
/* A poll within the interval after the last one, while the grant waits:
 * SET's expressions all read the row as it was. */
#define DEVICE_TOO_SOON	"(state = 'pending' AND expires_at > ?3 AND " \
	"?3 - last_poll < interval_s)"

const char *const stmt_sql[STMT_COUNT] = {
	[STMT_PING] = "SELECT 1",
	/* FULL (2) or EXTRA (3): a COMMIT waits for the disk */
	[STMT_DURABLE] =
	    "SELECT 1 FROM pragma_synchronous WHERE synchronous >= 2",
	[STMT_KEY_INSERT] =
	    "INSERT OR IGNORE INTO server_keys(name, key) VALUES (?, ?)",
	[STMT_KEY_GET] = "SELECT key FROM server_keys WHERE name = ?",
	[STMT_ACCOUNT_INSERT] = "INSERT INTO accounts(email, password_hash, "
	    "created_at) VALUES (?, ?, ?)",
	[STMT_ACCOUNT_BY_EMAIL] = "SELECT " ACCOUNT_COLUMNS " FROM accounts "
	    "WHERE email = ?",
	[STMT_ACCOUNT_BY_ID] = "SELECT " ACCOUNT_COLUMNS " FROM accounts "
	    "WHERE id = ?",
	[STMT_SESSION_INSERT] = "INSERT INTO sessions(hash, account_id, "
	    "created_at, last_seen, address, user_agent, auth_time, amr) "
	    "VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?3, ?6)",
	/* a disabled account's sessions are ended; one started by a log-in
	 * racing the disabling is refused all the same */
	[STMT_SESSION_GET] = "SELECT s.account_id, s.created_at, s.last_seen, "
	    "s.auth_time, s.amr FROM sessions s JOIN accounts a ON a.id = s.account_id "
	    "WHERE s.hash = ? AND a.disabled_at IS NULL",
	[STMT_SESSION_TOUCH] = "UPDATE sessions SET last_seen = ? "
	    "WHERE hash = ?",
	[STMT_SESSION_DELETE] = "DELETE FROM sessions WHERE hash = ?",
	[STMT_SESSION_REAUTH] = "UPDATE sessions SET auth_time = ?2, amr = ?3 "
	    "WHERE hash = ?1",
	/* keeps ?2 and the most recently seen of the others */
	[STMT_SESSION_TRIM] = "DELETE FROM sessions WHERE account_id = ?1 "
	    "AND hash NOT IN (SELECT hash FROM sessions WHERE account_id = "
	    "?1 ORDER BY hash = ?2 DESC, last_seen DESC, created_at DESC, "
	    "hash LIMIT ?3)",
	/* The count and the insert are one statement: a write statement
	 * holds SQLite's write lock from its first step, so two of them
	 * never count the same rows. */
	[STMT_PAT_INSERT] = "INSERT INTO personal_tokens(account_id, hash, "
	    "created_at) SELECT ?1, ?2, ?3 WHERE (SELECT count(*) FROM "
	    "personal_tokens WHERE account_id = ?1) < ?4",
	[STMT_PAT_BY_HASH] = "SELECT p.id, p.account_id, p.created_at, "
	    "coalesce(p.last_used_at, 0) FROM personal_tokens p "
	    "JOIN accounts a ON a.id = p.account_id "
	    "WHERE p.hash = ? AND a.disabled_at IS NULL",
	[STMT_PAT_LIST] = "SELECT id, account_id, created_at, "
	    "coalesce(last_used_at, 0) FROM personal_tokens "
	    "WHERE account_id = ?1 AND (?2 = 0 OR id < ?2) "
	    "ORDER BY id DESC LIMIT ?3",
	[STMT_PAT_DELETE] = "DELETE FROM personal_tokens "
	    "WHERE id = ? AND account_id = ?",
	[STMT_PAT_TOUCH] = "UPDATE personal_tokens SET last_used_at = ? "
	    "WHERE id = ?",
	[STMT_APP_INSERT] = "INSERT INTO apps(account_id, api_key, name, "
	    "public_name, logo_url, description, redirect_uris, "
	    "implicit_flow, created_at, id_token_signed_response_alg, "
	    "post_logout_redirect_uris, device_flow, dpop_bound, require_par, "
	    "secret_hash, secret_created_at, secret_id) "
	    "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17, ?18 WHERE (SELECT count(*) FROM apps "
	    "WHERE account_id = ?1) < ?10",
	[STMT_APP_GET] = "SELECT " APP_COLUMNS " FROM apps WHERE api_key = ?1 "
	    "AND (?2 = 0 OR account_id = ?2)",
	[STMT_APP_LIST] = "SELECT " APP_COLUMNS " FROM apps "
	    "WHERE (?1 = 0 OR account_id = ?1) AND id > ?2 ORDER BY id "
	    "LIMIT ?3",
	[STMT_APP_UPDATE] = "UPDATE apps SET public_name = ?, logo_url = ?, "
	    "description = ?, redirect_uris = ?, implicit_flow = ?, "
	    "id_token_signed_response_alg = ?, post_logout_redirect_uris = ?, "
	    "device_flow = ?, dpop_bound = ?, require_par = ? WHERE id = ?",
	[STMT_APP_DELETE] = "DELETE FROM apps WHERE api_key = ?1 "
	    "AND (?2 = 0 OR account_id = ?2)",
	/* a rotation: ?5 the seconds the current secret stays valid (0:
	 * none); refused while an old one is still valid. The right-hand
	 * sides read the row as it was. */
	[STMT_APP_SET_SECRET] = "UPDATE apps SET "
	    "old_secret_hash = CASE WHEN ?5 > 0 THEN secret_hash END, "
	    "old_secret_id = CASE WHEN ?5 > 0 AND secret_hash IS NOT NULL "
	    "THEN secret_id END, "
	    "old_secret_created_at = CASE WHEN ?5 > 0 AND secret_hash IS NOT "
	    "NULL THEN secret_created_at END, "
	    "old_secret_used_at = CASE WHEN ?5 > 0 AND secret_hash IS NOT "
	    "NULL THEN secret_used_at END, "
	    "old_secret_expires_at = CASE WHEN ?5 > 0 AND secret_hash IS NOT "
	    "NULL THEN ?4 + ?5 END, "
	    "secret_hash = ?3, secret_created_at = ?4, "
	    "secret_id = secret_id + 1, secret_used_at = NULL "
	    "WHERE api_key = ?1 AND (?2 = 0 OR account_id = ?2) "
	    "AND (old_secret_hash IS NULL OR old_secret_expires_at <= ?4)",
	[STMT_APP_REVOKE_OLD_SECRET] = "UPDATE apps SET "
	    "old_secret_hash = NULL, old_secret_id = NULL, "
	    "old_secret_created_at = NULL, old_secret_used_at = NULL, "
	    "old_secret_expires_at = NULL "
	    "WHERE api_key = ?1 AND (?2 = 0 OR account_id = ?2) "
	    "AND old_secret_hash IS NOT NULL AND old_secret_id = ?3 "
	    "AND old_secret_expires_at > ?4",
	/* forward only: two nodes may record uses out of order */
	[STMT_APP_SECRET_USED] = "UPDATE apps SET "
	    "secret_used_at = CASE WHEN secret_id = ?2 AND "
	    "coalesce(secret_used_at, 0) < ?3 THEN ?3 ELSE secret_used_at END, "
	    "old_secret_used_at = CASE WHEN old_secret_id = ?2 AND "
	    "coalesce(old_secret_used_at, 0) < ?3 THEN ?3 "
	    "ELSE old_secret_used_at END WHERE id = ?1",
	/* the compare-and-set of store_app_reuse_notice() */
	[STMT_APP_REUSE_NOTICE] = "INSERT INTO app_notices(app_id, "
	    "reuse_at) SELECT id, ?2 FROM apps WHERE id = ?1 "
	    "ON CONFLICT(app_id) DO UPDATE SET reuse_at = excluded.reuse_at "
	    "WHERE app_notices.reuse_at <= ?2 - ?3",

	/* PostgreSQL's lock of an owner; SQLite's write lock does it */
	[STMT_ACCOUNT_LOCK] = "SELECT id FROM accounts WHERE id = ?",
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	/* one item of a group commit (store_issue_many) */
	[STMT_SAVEPOINT] = "SAVEPOINT kg_item",
	[STMT_RELEASE] = "RELEASE kg_item",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO kg_item",
	[STMT_GRANT_UPSERT] = "INSERT INTO grants(account_id, app_id, scope, "
	    "created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(account_id, "
	    "app_id) DO UPDATE SET scope = scope | excluded.scope "
	    "RETURNING id",
	[STMT_GRANT_GET] = "SELECT id, scope FROM grants "
	    "WHERE account_id = ? AND app_id = ?",
	[STMT_GRANT_DELETE] = "DELETE FROM grants "
	    "WHERE account_id = ? AND app_id = ?",
	[STMT_GRANT_LIST] = "SELECT g.id, g.app_id, g.scope, g.created_at, "
	    "a.api_key, a.public_name FROM grants g JOIN apps a "
	    "ON a.id = g.app_id WHERE g.account_id = ?1 AND g.id > ?2 "
	    "ORDER BY g.id LIMIT ?3",
	[STMT_CODE_INSERT] = "INSERT INTO auth_codes(hash, grant_id, "
	    "redirect_uri, scope, challenge, expires_at, nonce, auth_time, "
	    "amr, jkt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_CODE_USE] = "UPDATE auth_codes SET used = 1 "
	    "WHERE hash = ?1 AND used = 0 AND (SELECT app_id FROM grants "
	    "WHERE id = auth_codes.grant_id) = ?2",
	[STMT_CODE_GET] = "SELECT c.grant_id, g.account_id, g.app_id, "
	    "c.redirect_uri, c.scope, c.challenge, c.expires_at, "
	    "c.used <> 0, coalesce(c.family_id, 0), c.nonce, c.auth_time, "
	    "c.amr, c.jkt FROM auth_codes c "
	    "JOIN grants g ON g.id = c.grant_id WHERE c.hash = ?",
	[STMT_CODE_FAMILY] = "UPDATE auth_codes SET used = 1, family_id = ?1 "
	    "WHERE hash = ?2 AND used = 0 AND (SELECT app_id FROM grants "
	    "WHERE id = auth_codes.grant_id) = ?3",
	[STMT_FAMILY_INSERT] = "INSERT INTO families(grant_id, scope, "
	    "created_at, auth_time, amr) VALUES (?, ?, ?, ?, ?)",
	/* a family revoked already is no change, and records none */
	[STMT_FAMILY_REVOKE] = "UPDATE families SET revoked = 1 WHERE id = ? "
	    "AND revoked = 0",
	[STMT_ACCESS_INSERT] = "INSERT INTO access_tokens(hash, family_id, "
	    "parent, scope, iat, jkt) VALUES (?, ?, ?, ?, ?, ?)",
	[STMT_ACCESS_GET] = "SELECT t.family_id, f.grant_id, g.account_id, "
	    "g.app_id, a.api_key, t.scope, f.scope, t.iat, t.last_used, "
	    "t.revoked OR f.revoked OR " DISABLED ", t.jkt "
	    "FROM access_tokens t "
	    "JOIN families f ON f.id = t.family_id "
	    "JOIN grants g ON g.id = f.grant_id "
	    "JOIN apps a ON a.id = g.app_id " TOKEN_ACCOUNTS
	    "WHERE t.hash = ?",
	[STMT_ACCESS_TOUCH] = "UPDATE access_tokens SET last_used = ?2 "
	    "WHERE hash = ?1 AND last_used < ?2",
	[STMT_REVISION] = "SELECT n FROM revision",
	[STMT_USE_LOG_APPEND] = "INSERT INTO use_log(uses) VALUES (?)",
	[STMT_USE_LOG_READ] = "SELECT id, uses FROM use_log "
	    "WHERE id > ?1 AND id <= ?2 ORDER BY id "
	    "LIMIT " USE_LOG_READ_SQL,
	[STMT_USE_LOG_DELETE] = "DELETE FROM use_log WHERE id = ?",
	[STMT_ACCESS_PAGE] = "SELECT t.family_id, f.grant_id, g.account_id, "
	    "g.app_id, a.api_key, t.scope, f.scope, t.iat, t.last_used, "
	    "0, t.hash, t.jkt FROM access_tokens t "
	    "JOIN families f ON f.id = t.family_id "
	    "JOIN grants g ON g.id = f.grant_id "
	    "JOIN apps a ON a.id = g.app_id " TOKEN_ACCOUNTS
	    "WHERE t.hash > ?1 AND t.iat >= ?2 AND t.revoked = 0 AND "
	    "f.revoked = 0 AND NOT (" DISABLED ") "
	    "ORDER BY t.hash LIMIT ?3",
	[STMT_ACCESS_REVOKE] = "UPDATE access_tokens SET revoked = 1 "
	    "WHERE hash = ?",
	[STMT_ACCESS_DROP_CHILD] = "DELETE FROM access_tokens WHERE parent = ? "
	    "AND last_used = 0 AND revoked = 0",
	[STMT_REFRESH_INSERT] = "INSERT INTO refresh_tokens(hash, family_id, "
	    "parent, scope, created_at, jkt) VALUES (?, ?, ?, ?, ?, ?)",
	[STMT_REFRESH_GET] = "SELECT r.family_id, f.grant_id, g.account_id, "
	    "g.app_id, a.api_key, r.scope, f.scope, r.created_at, r.used_at, "
	    "f.revoked OR " DISABLED ", f.auth_time, f.amr, r.jkt "
	    "FROM refresh_tokens r "
	    "JOIN families f ON f.id = r.family_id "
	    "JOIN grants g ON g.id = f.grant_id "
	    "JOIN apps a ON a.id = g.app_id " TOKEN_ACCOUNTS
	    "WHERE r.hash = ?",
	[STMT_REFRESH_USE] = "UPDATE refresh_tokens SET used_at = ? "
	    "WHERE hash = ? AND used_at = 0",
	[STMT_REFRESH_DROP_CHILD] = "DELETE FROM refresh_tokens "
	    "WHERE parent = ? AND used_at = 0",
	/* dead by docs/REFERENCE.md §4 at the horizon: ?1 = it - unused TTL,
	 * ?2 = it - max TTL, ?3 = it - idle TTL; ?4 rows at most */
	[STMT_GC_ACCESS] = "DELETE FROM access_tokens WHERE hash IN ("
	    "SELECT hash FROM access_tokens WHERE iat <= ?2 OR "
	    "CASE WHEN last_used = 0 THEN iat <= ?1 ELSE last_used <= ?3 END "
	    "LIMIT ?4)",
	[STMT_GC_CODES] = "DELETE FROM auth_codes WHERE hash IN ("
	    "SELECT hash FROM auth_codes WHERE expires_at <= ?1 LIMIT ?2)",
	[STMT_GC_SESSIONS] = "DELETE FROM sessions WHERE hash IN ("
	    "SELECT hash FROM sessions WHERE last_seen <= ?1 OR "
	    "created_at <= ?2 LIMIT ?3)",
	/* the live rows: the negation of the three above */
	[STMT_STATS] = "SELECT (SELECT count(*) FROM accounts), "
	    "(SELECT count(*) FROM apps), (SELECT count(*) FROM grants), "
	    "(SELECT count(*) FROM access_tokens t JOIN families f "
	    "ON f.id = t.family_id WHERE t.revoked = 0 AND f.revoked = 0 AND "
	    "t.iat > ?2 AND CASE WHEN t.last_used = 0 THEN t.iat > ?1 "
	    "ELSE t.last_used > ?3 END), "
	    "(SELECT count(*) FROM refresh_tokens r JOIN families f "
	    "ON f.id = r.family_id WHERE r.used_at = 0 AND f.revoked = 0), "
	    "(SELECT count(*) FROM sessions WHERE last_seen > ?4 AND "
	    "created_at > ?5)",
	/* showings of new secrets (core/reveal.c) */
	[STMT_GC_REVEALS] = "DELETE FROM reveals WHERE hash IN ("
	    "SELECT hash FROM reveals WHERE expires_at <= ?1 LIMIT ?2)",
	[STMT_REVEAL_INSERT] = "INSERT INTO reveals(hash, expires_at) "
	    "VALUES (?, ?)",
	/* a showing is used up by the one DELETE that finds it */
	[STMT_REVEAL_TAKE] = "DELETE FROM reveals WHERE hash = ? "
	    "RETURNING expires_at",
	/* throttle_counts: ?1 key, ?2 now, ?3 window; a window that has
	 * ended starts again at one */
	[STMT_THROTTLE_ADD] = "INSERT INTO throttle_counts(key, window_end, "
	    "count) VALUES (?1, ?2 + ?3, 1) ON CONFLICT (key) DO UPDATE SET "
	    "count = CASE WHEN window_end > ?2 THEN count + 1 ELSE 1 END, "
	    "window_end = CASE WHEN window_end > ?2 THEN window_end "
	    "ELSE excluded.window_end END RETURNING count, window_end",
	[STMT_THROTTLE_UNDO] = "UPDATE throttle_counts SET count = count - 1 "
	    "WHERE key = ?1 AND window_end = ?2 AND count > 0",
	[STMT_THROTTLE_CLEAR] = "DELETE FROM throttle_counts WHERE key = ?1",
	[STMT_THROTTLE_EXPIRE] = "DELETE FROM throttle_counts WHERE key IN ("
	    "SELECT key FROM throttle_counts WHERE window_end <= ?1 "
	    "LIMIT ?2)",
	/* the mail queue (core/mailer.c): ?1 recipient, ?2 message, ?3 now */
	[STMT_MAIL_ADD] = "INSERT INTO mail_queue(recipient, message, "
	    "created_at, next_at) VALUES (?1, ?2, ?3, ?3) RETURNING id",
	/* ?1 now, ?2 lease_until: one write statement, so SQLite's write
	 * lock makes it one claim */
	[STMT_MAIL_CLAIM] = "UPDATE mail_queue SET lease_until = ?2 "
	    "WHERE id = (SELECT id FROM mail_queue WHERE next_at <= ?1 AND "
	    "lease_until <= ?1 ORDER BY next_at, id LIMIT 1) RETURNING id, "
	    "recipient, message, created_at, attempts, last_error",
	[STMT_MAIL_DELETE] = "DELETE FROM mail_queue WHERE id = ?1",
	[STMT_MAIL_RETRY] = "UPDATE mail_queue SET attempts = ?2, "
	    "next_at = ?3, last_error = ?4, lease_until = 0 WHERE id = ?1",
	/* two-step log-in (core/totp.c) */
	[STMT_TOTP_INSERT] = "INSERT INTO totp(account_id, secret, "
	    "enabled_at, last_step) VALUES (?, ?, ?, ?)",
	[STMT_TOTP_GET] = "SELECT secret, enabled_at, last_step FROM totp "
	    "WHERE account_id = ?",
	/* the compare-and-set that makes every code single-use */
	[STMT_TOTP_STEP] = "UPDATE totp SET last_step = ?2 "
	    "WHERE account_id = ?1 AND last_step < ?2",
	/* its recovery codes go with it (ON DELETE CASCADE) */
	[STMT_TOTP_DELETE] = "DELETE FROM totp WHERE account_id = ?",
	[STMT_RECOVERY_INSERT] = "INSERT INTO recovery_codes(account_id, "
	    "hash) VALUES (?, ?)",
	[STMT_RECOVERY_LIST] = "SELECT hash FROM recovery_codes "
	    "WHERE account_id = ?1 ORDER BY hash LIMIT ?2",
	[STMT_RECOVERY_TAKE] = "DELETE FROM recovery_codes "
	    "WHERE account_id = ? AND hash = ?",

	/* accounts people can recover (sqlite_links.c) */
	[STMT_SESSION_LIST] = "SELECT account_id, created_at, last_seen, "
	    "hash, address, user_agent FROM sessions WHERE account_id = ?1 "
	    "ORDER BY last_seen DESC, created_at DESC, hash LIMIT ?2",
	[STMT_SESSION_END] = "DELETE FROM sessions "
	    "WHERE hash = ?1 AND account_id = ?2",
	[STMT_SESSION_END_OTHERS] = "DELETE FROM sessions "
	    "WHERE account_id = ?1 AND hash <> ?2",
	/* only while the address is still the one the link was sent to */
	[STMT_ACCOUNT_VERIFY] = "UPDATE accounts SET email_verified = 1 "
	    "WHERE id = ?1 AND email = ?2",
	[STMT_ACCOUNT_SET_EMAIL] = "UPDATE accounts SET email = ?2, "
	    "email_verified = 1 WHERE id = ?1",
	/* 1 when the account's address is ?2 already: no email_changed */
	[STMT_ACCOUNT_EMAIL_SAME] = "SELECT email = ?2 FROM accounts "
	    "WHERE id = ?1",
	[STMT_ACCOUNT_SET_PASSWORD] = "UPDATE accounts SET password_hash = ?2 "
	    "WHERE id = ?1",
	[STMT_LINK_CLEAR] = "DELETE FROM account_links "
	    "WHERE account_id = ?1 AND purpose = ?2",
	[STMT_LINK_INSERT] = "INSERT INTO account_links(hash, account_id, "
	    "purpose, email, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_LINK_GET] = "SELECT account_id, purpose, email, expires_at "
	    "FROM account_links WHERE hash = ?1 AND purpose = ?2",
	/* a link is used up by the one DELETE that finds it */
	[STMT_LINK_TAKE] = "DELETE FROM account_links "
	    "WHERE hash = ?1 AND purpose = ?2 "
	    "RETURNING account_id, purpose, email, expires_at",

	/* keygate account ...: one page by id; what an account holds (its
	 * sessions alive by ?2 = last seen after, ?3 = created after) */
	[STMT_ACCOUNT_LIST] = "SELECT " ACCOUNT_COLUMNS " FROM accounts "
	    "WHERE id > ?1 ORDER BY id LIMIT ?2",
	[STMT_ACCOUNT_COUNTS] = "SELECT "
	    "(SELECT count(*) FROM sessions WHERE account_id = ?1 AND "
	    "last_seen > ?2 AND created_at > ?3), "
	    "(SELECT count(*) FROM personal_tokens WHERE account_id = ?1), "
	    "(SELECT count(*) FROM grants WHERE account_id = ?1)",
	/* a second disabling keeps the first one's time */
	/* an account disabled already keeps its time (no row changes) */
	[STMT_ACCOUNT_DISABLE] = "UPDATE accounts SET disabled_at = ?2 "
	    "WHERE id = ?1 AND disabled_at IS NULL",
	[STMT_ACCOUNT_ENABLE] = "UPDATE accounts SET disabled_at = NULL "
	    "WHERE id = ?",
	[STMT_ACCOUNT_END_SESSIONS] = "DELETE FROM sessions "
	    "WHERE account_id = ?",
	[STMT_ACCOUNT_END_PATS] = "DELETE FROM personal_tokens "
	    "WHERE account_id = ?",
	/* unused codes of its grants and of grants to its apps; a used one
	 * stays, to end its family if it is replayed */
	[STMT_ACCOUNT_END_CODES] = "DELETE FROM auth_codes WHERE used = 0 "
	    "AND grant_id IN (SELECT id FROM grants WHERE account_id = ?1 "
	    "OR app_id IN (SELECT id FROM apps WHERE account_id = ?1))",
	/* the foreign keys' cascades take everything it owns */
	/* the token families of the grants it gave as an end user: they die
	 * (revoked, not hidden), so enabling it gives them no life back */
	[STMT_ACCOUNT_END_FAMILIES] = "UPDATE families SET revoked = 1 "
	    "WHERE revoked = 0 AND grant_id IN (SELECT id FROM grants "
	    "WHERE account_id = ?1)",
	[STMT_ACCOUNT_DELETE] = "DELETE FROM accounts WHERE id = ?",
	/* a seq another node took first changes nothing: the caller reads
	 * the list again rather than making a second key for that step */
	[STMT_SIGNING_KEY_ADD] = "INSERT INTO signing_keys(kid, alg, seq, "
	    "public_jwk, private_sealed, created_at, active_from) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
	    "ON CONFLICT (alg, seq) DO NOTHING",
	[STMT_SIGNING_KEY_LIST] = "SELECT kid, alg, seq, public_jwk, "
	    "private_sealed, created_at, active_from FROM signing_keys "
	    "ORDER BY alg, seq",
	/* resources (0024): a taken URI, bit or scope name is a constraint
	 * failure, ERR_EXISTS */
	[STMT_RESOURCE_INSERT] = "INSERT INTO resources(uri, name, "
	    "created_at) VALUES (?1, ?2, ?3)",
	[STMT_RESOURCE_BIT_INSERT] = "INSERT INTO resource_bits(bit, uri, "
	    "scope, description) VALUES (?1, ?2, nullif(?3, ''), ?4)",
	[STMT_RESOURCE_LIST] = "SELECT r.uri, r.name, r.created_at, b.bit, "
	    "coalesce(b.scope, ''), b.description FROM resources r "
	    "JOIN resource_bits b ON b.uri = r.uri ORDER BY r.uri, b.bit",
	[STMT_RESOURCE_FAMILIES_REVOKE] = "UPDATE families SET revoked = 1 "
	    "WHERE revoked = 0 AND (scope & ?1) <> 0",
	[STMT_RESOURCE_CODES_DELETE] = "DELETE FROM auth_codes "
	    "WHERE (scope & ?1) <> 0",
	[STMT_RESOURCE_DEVICE_DELETE] = "DELETE FROM device_grants "
	    "WHERE (scope & ?1) <> 0",
	/* a consent left with no audience (?2: every other one) would
	 * read as the built-in API's */
	[STMT_RESOURCE_GRANTS_EMPTY_DELETE] = "DELETE FROM grants "
	    "WHERE (scope & ?1) <> 0 AND (scope & ?2) = 0",
	[STMT_RESOURCE_GRANTS_NARROW] = "UPDATE grants SET scope = "
	    "scope & ~?1 WHERE (scope & ?1) <> 0",
	[STMT_RESOURCE_DELETE] = "DELETE FROM resources WHERE uri = ?1",
	[STMT_DEVICE_INSERT] = "INSERT INTO device_grants(device_hash, "
	    "user_code, app_id, scope, created_at, expires_at, interval_s) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STMT_DEVICE_FIND] = "SELECT user_code, app_id, (SELECT api_key "
	    "FROM apps WHERE apps.id = device_grants.app_id), " DEVICE_FIELDS
	    " FROM device_grants WHERE user_code = ?1 AND state = 'pending' "
	    "AND expires_at > ?2",
	/* the compare-and-set of a decision: of two racing, one sees the
	 * row change */
	[STMT_DEVICE_DECIDE] = "UPDATE device_grants SET state = ?2, "
	    "account_id = ?3, auth_time = ?4, amr = ?5 WHERE user_code = ?1 "
	    "AND state = 'pending' AND expires_at > ?6 "
	    "RETURNING device_hash, app_id, scope, expires_at",
	[STMT_DEVICE_POLL] = "UPDATE device_grants SET slow_down = "
	    DEVICE_TOO_SOON ", interval_s = interval_s + CASE WHEN "
	    DEVICE_TOO_SOON " THEN ?4 ELSE 0 END, last_poll = ?3 "
	    "WHERE device_hash = ?1 AND app_id = ?2 "
	    "RETURNING user_code, app_id, '', " DEVICE_FIELDS,
	[STMT_GC_DEVICE] = "DELETE FROM device_grants WHERE device_hash IN ("
	    "SELECT device_hash FROM device_grants WHERE expires_at <= ?1 "
	    "LIMIT ?2)",
	/* as in pg_sql.c */
	[STMT_DPOP_JTI_CLAIM] = "INSERT INTO dpop_jtis AS d(hash, expires_at) "
	    "VALUES (?1, ?2) ON CONFLICT (hash) DO UPDATE SET "
	    "expires_at = excluded.expires_at WHERE d.expires_at <= ?3",
	[STMT_GC_DPOP] = "DELETE FROM dpop_jtis WHERE hash IN ("
	    "SELECT hash FROM dpop_jtis WHERE expires_at <= ?1 LIMIT ?2)",
	[STMT_PAR_INSERT] = "INSERT INTO par_requests(hash, app_id, params, "
	    "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_PAR_GET] = "SELECT app_id, params, created_at, expires_at "
	    "FROM par_requests WHERE hash = ?1 AND used = 0 AND "
	    "expires_at > ?2",
	[STMT_PAR_USE] = "UPDATE par_requests SET used = 1 WHERE hash = ?1 "
	    "AND app_id = ?2 AND used = 0 AND expires_at > ?3",
	[STMT_GC_PAR] = "DELETE FROM par_requests WHERE hash IN ("
	    "SELECT hash FROM par_requests WHERE expires_at <= ?1 LIMIT ?2)",
	[STMT_EVENT_INSERT] = "INSERT INTO events(at, account_id, kind, "
	    "address, app_id, app_key, detail) VALUES (?1, ?2, ?3, ?4, "
	    "nullif(?5, 0), coalesce(nullif(?6, ''), (SELECT api_key FROM "
	    "apps WHERE id = ?5), ''), ?7)",
	/* ?1's own events, then those of others (users) at ?1's apps, each
	 * an index's walk down (account_id, id) or (app_id, id), never the
	 * primary key's. An app's events are matched by id and api key: an
	 * id SQLite gives again after a deletion is another app's. Another
	 * account's address is not ?1's to see. ?4 is the id to stay below. */
	[STMT_EVENT_LIST] = "SELECT * FROM (SELECT id, at, account_id, kind, "
	    "address, app_key, detail FROM events WHERE account_id = ?1 "
	    "AND id < ?4 AND (?2 < 0 OR kind = ?2) AND (?3 = 0 OR "
	    "(app_id = ?3 AND app_key = (SELECT api_key FROM apps WHERE "
	    "id = ?3 AND account_id = ?1))) ORDER BY id DESC LIMIT ?5) "
	    "UNION ALL SELECT * FROM (SELECT e.id, e.at, e.account_id, "
	    "e.kind, '', e.app_key, e.detail FROM apps a JOIN events e ON "
	    "e.app_id = a.id AND e.app_key = a.api_key WHERE a.account_id = "
	    "?1 AND (?3 = 0 OR a.id = ?3) AND e.account_id <> ?1 AND "
	    "e.id < ?4 AND (?2 < 0 OR e.kind = ?2) ORDER BY e.id DESC "
	    "LIMIT ?5) ORDER BY 1 DESC LIMIT ?5",
	[STMT_GC_EVENTS] = "DELETE FROM events WHERE id IN ("
	    "SELECT id FROM events WHERE at < ?1 LIMIT ?2)",
	/* 0023_usage.sql: counts add up, across threads and nodes */
	/* a count for an app deleted meanwhile is dropped, not refused (the
	 * foreign key would fail every batch after it); SQLite reuses the
	 * highest id, so an app made after the hour is another's */
	[STMT_USAGE_ADD] = "INSERT INTO usage(app_id, hour, checks_ok, "
	    "checks_401, api_ok, api_401, issued, refreshed) "
	    "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE EXISTS (SELECT 1 "
	    "FROM apps WHERE id = ?1 AND created_at < ?2 + 3600) "
	    "ON CONFLICT (app_id, hour) DO UPDATE SET "
	    "checks_ok = checks_ok + excluded.checks_ok, "
	    "checks_401 = checks_401 + excluded.checks_401, "
	    "api_ok = api_ok + excluded.api_ok, "
	    "api_401 = api_401 + excluded.api_401, "
	    "issued = issued + excluded.issued, "
	    "refreshed = refreshed + excluded.refreshed",
	/* the live users are set, not added: every node samples the same
	 * rows; an app whose last grant went since the last sample gets 0 */
	[STMT_USAGE_LIVE] = "INSERT INTO usage(app_id, hour, live_users) "
	    "SELECT p.id, ?1, (SELECT count(*) FROM grants g "
	    "JOIN accounts u ON u.id = g.account_id "
	    "WHERE g.app_id = p.id AND u.disabled_at IS NULL) FROM apps p "
	    "WHERE p.id IN (SELECT app_id FROM grants UNION "
	    "SELECT app_id FROM usage WHERE hour = ?1) ORDER BY p.id "
	    "ON CONFLICT (app_id, hour) DO UPDATE SET "
	    "live_users = excluded.live_users",
	[STMT_USAGE_READ] = "SELECT hour, checks_ok, checks_401, api_ok, "
	    "api_401, issued, refreshed, live_users FROM usage "
	    "WHERE app_id = ?1 AND hour >= ?2 AND hour <= ?3 ORDER BY hour",
	[STMT_GC_USAGE] = "DELETE FROM usage WHERE (app_id, hour) IN ("
	    "SELECT app_id, hour FROM usage WHERE hour < ?1 LIMIT ?2)",
	/* 0025_cimd.sql: the documents' apps belong to an account no one
	 * can log in to ('!' is no argon2id hash), made on first use; an
	 * ordinary app (cimd_fetched_at NULL) is never overwritten */
	[STMT_CIMD_OWNER] = "INSERT OR IGNORE INTO accounts(email, "
	    "password_hash, created_at) VALUES ('" CIMD_OWNER_EMAIL "', '!', "
	    "?1)",
	[STMT_CIMD_PUT] = "INSERT INTO apps(account_id, api_key, name, "
	    "public_name, logo_url, redirect_uris, created_at, "
	    "cimd_fetched_at) SELECT id, ?1, ?2, ?2, ?3, ?4, ?5, ?5 "
	    "FROM accounts WHERE email = '" CIMD_OWNER_EMAIL "' "
	    "ON CONFLICT (api_key) DO UPDATE SET name = excluded.name, "
	    "public_name = excluded.public_name, "
	    "logo_url = excluded.logo_url, "
	    "redirect_uris = excluded.redirect_uris, "
	    "cimd_fetched_at = excluded.cimd_fetched_at "
	    "WHERE apps.cimd_fetched_at IS NOT NULL",
};
