/* The SQLite backend's connections and the statement helpers every file of
 * it calls: sqlite.c (open, migrate, dispatch) and the per-entity files
 * call down into these, and these call none of them back. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/sqlite_conn.h"
#include "store/sqlite_stmt.h"

#define SQLITE_BUSY_TIMEOUT_MS	5000

int
sqlite_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_msg("error", "sqlite: %s", msg != NULL ? msg : "?");
		sqlite3_free(msg);
		return ERR_STORE;
	}
	return 0;
}

int
sqlite_conn_open(const char *path, sqlite3 **out, char *err, size_t errlen)
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
	if (sqlite_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
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
struct conn *
sqlite_conn_get(struct store_backend *b)
{
	struct conn *c = pthread_getspecific(b->key);
	char err[256];

	if (c != NULL)
		return c;
	c = xcalloc(1, sizeof(*c));
	if (sqlite_conn_open(b->path, &c->db, err, sizeof(err)) != 0) {
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
	struct conn *c = sqlite_conn_get(b);

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

void
sqlite_conn_close(struct conn *c)
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

int
sqlite_run(sqlite3 *db, sqlite3_stmt *st, int *changes)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return sqlite_err(db, rc);
	if (changes != NULL)
		*changes = sqlite3_changes(db);
	return 0;
}

int
sqlite_run_one(sqlite3 *db, sqlite3_stmt *st)
{
	int changes = 0, rc = sqlite_run(db, st, &changes);

	return rc == 0 && changes == 0 ? ERR_NOTFOUND : rc;
}

int
sqlite_end(sqlite3_stmt *st, int rc)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int
sqlite_row(sqlite3 *db, sqlite3_stmt *st,
    void (*read)(sqlite3_stmt *, void *), void *out)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		read(st, out);
		return sqlite_end(st, 0);
	}
	return sqlite_end(st, rc == SQLITE_DONE ? ERR_NOTFOUND :
	    sqlite_err(db, rc));
}

int
sqlite_take_row(sqlite3 *db, sqlite3_stmt *st,
    void (*read)(sqlite3_stmt *, void *), void *out)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return sqlite_end(st, ERR_NOTFOUND);
	if (rc == SQLITE_ROW) {
		read(st, out);
		rc = sqlite3_step(st);
	}
	return sqlite_end(st, rc == SQLITE_DONE ? 0 : sqlite_err(db, rc));
}

int
sqlite_row_by_hash(struct store_backend *b, enum stmt_id id,
    const unsigned char *hash, void (*read)(sqlite3_stmt *, void *),
    void *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, id, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	return sqlite_row(db, st, read, out);
}

int
sqlite_rows(sqlite3 *db, sqlite3_stmt *st,
    void (*read)(sqlite3_stmt *, void *), size_t size, void **rows,
    size_t *n)
{
	char *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			v = xrealloc(v, cap * size);
		}
		read(st, v + len++ * size);
	}
	if (rc != SQLITE_DONE) {
		free(v);
		return sqlite_end(st, sqlite_err(db, rc));
	}
	*rows = v;
	*n = len;
	return sqlite_end(st, 0);
}

void
sqlite_copy_text(char *dst, size_t dstlen, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n = t == NULL ? 0 : (size_t)sqlite3_column_bytes(st, col);

	if (n >= dstlen)
		n = dstlen - 1;
	if (n > 0)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

int
sqlite_simple(struct store_backend *b, enum stmt_id id)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, id, &db);

	return st == NULL ? ERR_STORE : sqlite_run(db, st, NULL);
}

int
sqlite_finish(struct store_backend *b, int rc)
{
	if (rc == 0)
		rc = sqlite_simple(b, STMT_COMMIT);
	if (rc != 0 && sqlite_simple(b, STMT_ROLLBACK) != 0)
		log_msg("error", "sqlite: a failed transaction could not roll "
		    "back");
	return rc;
}

void
sqlite_read_jkt(sqlite3_stmt *st, int col, bool *bound,
    unsigned char jkt[SECURE_HASH_BYTES])
{
	const void *p = sqlite3_column_blob(st, col);

	*bound = p != NULL &&
	    sqlite3_column_bytes(st, col) == SECURE_HASH_BYTES;
	if (*bound)
		memcpy(jkt, p, SECURE_HASH_BYTES);
	else
		memset(jkt, 0, SECURE_HASH_BYTES);
}
