/* The SQLite backend: one connection per thread (WAL lets readers run beside
 * the writer), each with its prepared statements prepared once. Durability:
 * synchronous=FULL, so a committed answer survives power loss. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/embedded.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/sqlite_conn.h"
#include "store/sqlite_stmt.h"
#include "store/store_impl.h"

extern const struct embedded_file migrations_sqlite[];

/* The database holds password hashes and the server's keys: it is made
 * readable by its owner only (0600) whatever the umask, before SQLite
 * opens it. SQLite gives the -wal, -shm and -journal files the mode of
 * the database file, so they follow; any of the four found with a looser
 * mode (an older keygate, a copy) is tightened, with a log line. Errors
 * are left to SQLite's own open, which reports them. */
static void
make_private(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char name[PATH_MAX];
	struct stat sb;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < sizeof(suffix) / sizeof(*suffix); i++) {
		if (snprintf(name, sizeof(name), "%s%s", path, suffix[i]) >=
		    (int)sizeof(name) || stat(name, &sb) != 0 ||
		    !S_ISREG(sb.st_mode) || (sb.st_mode & 077) == 0)
			continue;
		if (chmod(name, 0600) == 0)
			log_msg("warn", "sqlite: %s was mode %04o, readable by "
			    "others; now 0600", name,
			    (unsigned)(sb.st_mode & 07777));
		else
			log_msg("warn", "sqlite: %s is mode %04o, readable by "
			    "others, and could not be made 0600: %s", name,
			    (unsigned)(sb.st_mode & 07777), strerror(errno));
	}
}

static int
sq_open(const char *url, struct store_backend **out, char *err,
    size_t errlen)
{
	struct store_backend *b = xcalloc(1, sizeof(*b));
	sqlite3 *probe;

	make_private(url);
	/* Opening once here reports a bad path at start, not on a request. */
	if (sqlite_conn_open(url, &probe, err, errlen) != 0) {
		free(b);
		return ERR_STORE;
	}
	sqlite3_close(probe);
	b->path = xstrdup(url);
	pthread_key_create(&b->key, NULL);
	pthread_mutex_init(&b->lock, NULL);
	b->group = sqlite_group_start(b, sqlite_issue_batch);
	*out = b;
	return 0;
}

static void
sq_close(struct store_backend *b)
{
	struct conn *c, *next;

	if (b == NULL)
		return;
	sqlite_group_stop(b->group);
	for (c = b->conns; c != NULL; c = next) {
		next = c->next;
		sqlite_conn_close(c);
	}
	pthread_key_delete(b->key);
	pthread_mutex_destroy(&b->lock);
	free(b->path);
	free(b);
}

static int
migration_version(const char *name)
{
	int v = 0;

	for (; *name >= '0' && *name <= '9'; name++)
		v = v * 10 + (*name - '0');
	return v;
}

static int
apply_migration(sqlite3 *db, const struct embedded_file *m, int *applied)
{
	char sql[128];
	char *text;
	sqlite3_stmt *st;
	int version = migration_version(m->name), done, rc;

	if (sqlite_exec(db, "BEGIN IMMEDIATE") != 0)
		return ERR_STORE;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM schema_migrations WHERE "
	    "version = ?", -1, &st, NULL) != SQLITE_OK)
		goto out_rollback;
	sqlite3_bind_int(st, 1, version);
	done = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (done)
		return sqlite_exec(db, "COMMIT");
	text = xstrndup(m->data, m->len);
	rc = sqlite_exec(db, text);
	free(text);
	if (rc != 0)
		goto out_rollback;
	snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations(version, "
	    "applied_at) VALUES (%d, strftime('%%s','now'))", version);
	if (sqlite_exec(db, sql) != 0 || sqlite_exec(db, "COMMIT") != 0)
		goto out_rollback;
	(*applied)++;
	return 0;

out_rollback:
	sqlite_exec(db, "ROLLBACK");
	return ERR_STORE;
}

static int
sq_migrate(struct store_backend *b, int *applied)
{
	struct conn *c = sqlite_conn_get(b);

	*applied = 0;
	if (c == NULL)
		return ERR_STORE;
	if (sqlite_exec(c->db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)") != 0)
		return ERR_STORE;
	for (const struct embedded_file *m = migrations_sqlite;
	    m->name != NULL; m++)
		if (apply_migration(c->db, m, applied) != 0) {
			log_msg("error", "migration %s failed", m->name);
			return ERR_STORE;
		}
	return 0;
}

static int
sq_ping(struct store_backend *b)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_PING, &db);
	int rc;

	if (st == NULL)
		return ERR_STORE;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : ERR_STORE;
}

static int
sq_durable(struct store_backend *b)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_DURABLE, &db);
	int rc;

	if (st == NULL)
		return ERR_STORE;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND :
	    ERR_STORE;
}

static int
sq_server_key(struct store_backend *b, const char *name,
    unsigned char key[SECURE_KEY_BYTES])
{
	unsigned char fresh[SECURE_KEY_BYTES];
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	/* INSERT OR IGNORE then SELECT: whichever node inserts first wins and
	 * every node reads that one key. */
	secure_random(fresh, sizeof(fresh));
	if ((st = sqlite_stmt(b, STMT_KEY_INSERT, &db)) == NULL)
		return ERR_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, fresh, sizeof(fresh), SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return sqlite_err(db, rc);
	if ((st = sqlite_stmt(b, STMT_KEY_GET, &db)) == NULL)
		return ERR_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == SECURE_KEY_BYTES)
		memcpy(key, sqlite3_column_blob(st, 0), SECURE_KEY_BYTES);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? 0 : ERR_STORE;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.migrate = sq_migrate,
	.ping = sq_ping,
	.durable = sq_durable,
	.server_key = sq_server_key,
	.throttle_add = sqlite_throttle_add,
	.throttle_undo = sqlite_throttle_undo,
	.throttle_clear = sqlite_throttle_clear,
	.throttle_expire = sqlite_throttle_expire,
	.dpop_jti_claim = sqlite_dpop_jti_claim,
	.account_insert = sqlite_account_insert,
	.account_by_email = sqlite_account_by_email,
	.account_by_id = sqlite_account_by_id,
	.account_list = sqlite_account_list,
	.account_counts = sqlite_account_counts,
	.account_disable = sqlite_account_disable,
	.account_enable = sqlite_account_enable,
	.account_delete = sqlite_account_delete,
	.session_insert = sqlite_session_insert,
	.session_get = sqlite_session_get,
	.session_touch = sqlite_session_touch,
	.session_reauth = sqlite_session_reauth,
	.session_delete = sqlite_session_delete,
	.session_trim = sqlite_session_trim,
	.session_list = sqlite_session_list,
	.session_end = sqlite_session_end,
	.session_end_others = sqlite_session_end_others,
	.account_verify = sqlite_account_verify,
	.account_set_email = sqlite_account_set_email,
	.account_set_password = sqlite_account_set_password,
	.link_insert = sqlite_link_insert,
	.link_get = sqlite_link_get,
	.link_take = sqlite_link_take,
	.pat_insert = sqlite_pat_insert,
	.pat_by_hash = sqlite_pat_by_hash,
	.pat_list = sqlite_pat_list,
	.pat_delete = sqlite_pat_delete,
	.pat_touch = sqlite_pat_touch,
	.app_insert = sqlite_app_insert,
	.app_get = sqlite_app_get,
	.app_list = sqlite_app_list,
	.app_update = sqlite_app_update,
	.app_delete = sqlite_app_delete,
	.app_set_secret = sqlite_app_set_secret,
	.app_revoke_old_secret = sqlite_app_revoke_old_secret,
	.app_secret_used = sqlite_app_secret_used,
	.cimd_app_put = sqlite_cimd_app_put,
	.app_reuse_notice = sqlite_app_reuse_notice,
	.reveal_insert = sqlite_reveal_insert,
	.reveal_take = sqlite_reveal_take,
	.totp_get = sqlite_totp_get,
	.totp_insert = sqlite_totp_insert,
	.totp_step = sqlite_totp_step,
	.totp_delete = sqlite_totp_delete,
	.recovery_list = sqlite_recovery_list,
	.recovery_take = sqlite_recovery_take,
	.grant_upsert = sqlite_grant_upsert,
	.grant_get = sqlite_grant_get,
	.grant_delete = sqlite_grant_delete,
	.grant_list = sqlite_grant_list,
	.code_insert = sqlite_code_insert,
	.code_get = sqlite_code_get,
	.code_take = sqlite_code_take,
	.issue = sqlite_issue,
	.issue_many = sqlite_issue_many,
	.refresh = sqlite_refresh,
	.family_revoke = sqlite_family_revoke,
	.access_get = sqlite_access_get,
	.access_touch = sqlite_access_touch,
	.use_log_append = sqlite_use_log_append,
	.usage_write = sqlite_usage_write,
	.usage_read = sqlite_usage_read,
	.use_log_read = sqlite_use_log_read,
	.access_touch_many = sqlite_access_touch_many,
	.use_log_delete = sqlite_use_log_delete,
	.revision = sqlite_revision,
	.access_page = sqlite_access_page,
	.access_revoke = sqlite_access_revoke,
	.refresh_get = sqlite_refresh_get,
	.gc = sqlite_gc,
	.stats = sqlite_stats,
	.mail_add = sqlite_mail_add,
	.mail_claim = sqlite_mail_claim,
	.mail_delete = sqlite_mail_delete,
	.mail_retry = sqlite_mail_retry,
	.device_insert = sqlite_device_insert,
	.device_find = sqlite_device_find,
	.device_decide = sqlite_device_decide,
	.device_poll = sqlite_device_poll,
	.par_insert = sqlite_par_insert,
	.par_get = sqlite_par_get,
	.par_use = sqlite_par_use,
	.signing_key_add = sqlite_signing_key_add,
	.signing_key_list = sqlite_signing_key_list,
	.resource_add = sqlite_resource_add,
	.resource_list = sqlite_resource_list,
	.resource_delete = sqlite_resource_delete,
	.event_add = sqlite_event_add,
	.event_list = sqlite_event_list,
};
