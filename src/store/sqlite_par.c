/* SQLite: pushed authorization requests (RFC 9126). */
#include "base/err.h"
#include "store/sqlite_stmt.h"

int
sqlite_par_insert(struct store_backend *b, const unsigned char *hash,
    const struct par_row *row)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_PAR_INSERT, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, row->app_id);
	sqlite3_bind_text(st, 3, row->params, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, row->created_at);
	sqlite3_bind_int64(st, 5, row->expires_at);
	return sqlite_run(db, st, NULL);
}

static void
read_par(sqlite3_stmt *st, void *p)
{
	struct par_row *r = p;

	r->app_id = sqlite3_column_int64(st, 0);
	sqlite_copy_text(r->params, sizeof(r->params), st, 1);
	r->created_at = sqlite3_column_int64(st, 2);
	r->expires_at = sqlite3_column_int64(st, 3);
}

int
sqlite_par_get(struct store_backend *b, const unsigned char *hash,
    int64_t now, struct par_row *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_PAR_GET, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return sqlite_row(db, st, read_par, out);
}

int
sqlite_par_use(struct store_backend *b, const unsigned char *hash,
    int64_t app_id, int64_t now)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_PAR_USE, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, app_id);
	sqlite3_bind_int64(st, 3, now);
	return sqlite_run_one(db, st);
}
