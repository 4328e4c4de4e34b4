/* SQLite: the throttle counters. keygate counts in memory over a SQLite
 * store (one file is one process); these serve the contract suite and keep
 * the two backends alike. */
#include "base/err.h"
#include "store/sqlite_stmt.h"

struct counter {
	int64_t	*count;
	int64_t	*window_end;
};

static void
read_counter(sqlite3_stmt *st, void *out)
{
	struct counter *c = out;

	*c->count = sqlite3_column_int64(st, 0);
	*c->window_end = sqlite3_column_int64(st, 1);
}

int
sqlite_throttle_add(struct store_backend *b, const unsigned char *key,
    int64_t now, int64_t window_s, int64_t *count, int64_t *window_end)
{
	struct counter c = { count, window_end };
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_THROTTLE_ADD, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, key, STORE_THROTTLE_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, window_s);
	return sqlite_row(db, st, read_counter, &c);
}

int
sqlite_throttle_undo(struct store_backend *b, const unsigned char *key,
    int64_t window_end)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_THROTTLE_UNDO, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, key, STORE_THROTTLE_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, window_end);
	return sqlite_run(db, st, NULL);
}

int
sqlite_throttle_clear(struct store_backend *b, const unsigned char *key)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_THROTTLE_CLEAR, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, key, STORE_THROTTLE_KEY_BYTES, SQLITE_STATIC);
	return sqlite_run(db, st, NULL);
}

int
sqlite_throttle_expire(struct store_backend *b, int64_t now, size_t batch,
    size_t *removed)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_THROTTLE_EXPIRE, &db);
	int rc, changes = 0;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (int64_t)batch);
	rc = sqlite_run(db, st, &changes);
	*removed = rc == 0 ? (size_t)changes : 0;
	return rc;
}

/* As pg_throttle.c's; keygate remembers proofs in memory over SQLite. */
int
sqlite_dpop_jti_claim(struct store_backend *b, const unsigned char *hash,
    int64_t expires_at, int64_t now)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_DPOP_JTI_CLAIM, &db);
	int rc, changes = 0;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, expires_at);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite_run(db, st, &changes);
	return rc != 0 ? rc : changes == 1 ? 0 : ERR_EXISTS;
}
