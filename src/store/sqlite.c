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
#include "store/sqlite_stmt.h"
#include "store/store_impl.h"

#define SQLITE_BUSY_TIMEOUT_MS	5000

extern const struct embedded_file migrations_sqlite[];

struct conn {
	sqlite3		*db;
	sqlite3_stmt	*stmts[STMT_COUNT];
	struct conn	*next;
};

struct store_backend {
	char		*path;
	struct sqlite_group *group;
	pthread_key_t	 key;
	pthread_mutex_t	 lock;		/* guards conns */
	struct conn	*conns;
};

static int
exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_msg("error", "sqlite: %s", msg != NULL ? msg : "?");
		sqlite3_free(msg);
		return ERR_STORE;
	}
	return 0;
}

static int
conn_open(const char *path, sqlite3 **out, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX;

	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return ERR_STORE;
	}
	sqlite3_busy_timeout(db, SQLITE_BUSY_TIMEOUT_MS);
	/* A small page cache per connection: the kernel caches the file
	 * anyway, and checks are served from the token cache, whose memory
	 * counts. Temporary files in memory: a group commit's savepoints
	 * keep each page they change in a statement journal, which past
	 * 64 KB spilled to a temporary file, a pwrite per page (eight a
	 * refresh, four times the WAL's). */
	if (exec_sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
	    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-512; "
	    "PRAGMA temp_store=MEMORY;") != 0) {
		snprintf(err, errlen, "cannot configure %s: %s", path,
		    sqlite3_errmsg(db));
		sqlite3_close(db);
		return ERR_STORE;
	}
	*out = db;
	return 0;
}

/* This thread's connection, opened on first use. NULL if it cannot open. */
static struct conn *
conn_get(struct store_backend *b)
{
	struct conn *c = pthread_getspecific(b->key);
	char err[256];

	if (c != NULL)
		return c;
	c = xcalloc(1, sizeof(*c));
	if (conn_open(b->path, &c->db, err, sizeof(err)) != 0) {
		log_msg("error", "%s", err);
		free(c);
		return NULL;
	}
	pthread_mutex_lock(&b->lock);
	c->next = b->conns;
	b->conns = c;
	pthread_mutex_unlock(&b->lock);
	pthread_setspecific(b->key, c);
	return c;
}

sqlite3_stmt *
sqlite_stmt(struct store_backend *b, enum stmt_id id, sqlite3 **db)
{
	struct conn *c = conn_get(b);

	if (c == NULL)
		return NULL;
	*db = c->db;
	if (c->stmts[id] == NULL &&
	    sqlite3_prepare_v3(c->db, stmt_sql[id], -1,
	    SQLITE_PREPARE_PERSISTENT, &c->stmts[id], NULL) != SQLITE_OK) {
		log_msg("error", "sqlite prepare %d: %s", (int)id,
		    sqlite3_errmsg(c->db));
		return NULL;
	}
	return c->stmts[id];
}

int
sqlite_err(sqlite3 *db, int rc)
{
	if (rc == SQLITE_CONSTRAINT)
		return ERR_EXISTS;
	log_msg("error", "sqlite: %s", sqlite3_errmsg(db));
	return ERR_STORE;
}

static void
conn_close(struct conn *c)
{
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(c->stmts[i]);
	sqlite3_close(c->db);
	free(c);
}

struct sqlite_group *
sqlite_group(struct store_backend *b)
{
	return b->group;
}

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
	if (conn_open(url, &probe, err, errlen) != 0) {
		free(b);
		return ERR_STORE;
	}
	sqlite3_close(probe);
	b->path = xstrdup(url);
	pthread_key_create(&b->key, NULL);
	pthread_mutex_init(&b->lock, NULL);
	b->group = sqlite_group_start(b);
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
		conn_close(c);
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

	if (exec_sql(db, "BEGIN IMMEDIATE") != 0)
		return ERR_STORE;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM schema_migrations WHERE "
	    "version = ?", -1, &st, NULL) != SQLITE_OK)
		goto out_rollback;
	sqlite3_bind_int(st, 1, version);
	done = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (done)
		return exec_sql(db, "COMMIT");
	text = xstrndup(m->data, m->len);
	rc = exec_sql(db, text);
	free(text);
	if (rc != 0)
		goto out_rollback;
	snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations(version, "
	    "applied_at) VALUES (%d, strftime('%%s','now'))", version);
	if (exec_sql(db, sql) != 0 || exec_sql(db, "COMMIT") != 0)
		goto out_rollback;
	(*applied)++;
	return 0;

out_rollback:
	exec_sql(db, "ROLLBACK");
	return ERR_STORE;
}

static int
sq_migrate(struct store_backend *b, int *applied)
{
	struct conn *c = conn_get(b);

	*applied = 0;
	if (c == NULL)
		return ERR_STORE;
	if (exec_sql(c->db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
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
	.server_key = sq_server_key,
	.throttle_add = sqlite_throttle_add,
	.throttle_undo = sqlite_throttle_undo,
	.throttle_clear = sqlite_throttle_clear,
	.throttle_expire = sqlite_throttle_expire,
	.account_insert = sqlite_account_insert,
	.account_by_email = sqlite_account_by_email,
	.account_by_id = sqlite_account_by_id,
	.session_insert = sqlite_session_insert,
	.session_get = sqlite_session_get,
	.session_touch = sqlite_session_touch,
	.session_delete = sqlite_session_delete,
	.session_trim = sqlite_session_trim,
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
	.reveal_insert = sqlite_reveal_insert,
	.reveal_take = sqlite_reveal_take,
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
	.use_log_read = sqlite_use_log_read,
	.access_touch_many = sqlite_access_touch_many,
	.use_log_delete = sqlite_use_log_delete,
	.revision = sqlite_revision,
	.access_page = sqlite_access_page,
	.access_revoke = sqlite_access_revoke,
	.refresh_get = sqlite_refresh_get,
	.gc = sqlite_gc,
	.stats = sqlite_stats,
};
