/* SQLite: the OpenID Provider's signing keys. */
#include <stdlib.h>

#include "base/err.h"
#include "store/sqlite_stmt.h"

int
sqlite_signing_key_add(struct store_backend *b,
    const struct signing_key_row *row)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_SIGNING_KEY_ADD, &db);
	int changes = 0, rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_text(st, 1, row->kid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->alg, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, row->seq);
	sqlite3_bind_text(st, 4, row->public_jwk, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, row->private_sealed, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, row->created_at);
	sqlite3_bind_int64(st, 7, row->active_from);
	rc = sqlite_run(db, st, &changes);
	return rc == 0 && changes == 0 ? ERR_EXISTS : rc;
}

static void
read_key(sqlite3_stmt *st, void *p)
{
	struct signing_key_row *out = p;

	sqlite_copy_text(out->kid, sizeof(out->kid), st, 0);
	sqlite_copy_text(out->alg, sizeof(out->alg), st, 1);
	out->seq = sqlite3_column_int64(st, 2);
	sqlite_copy_text(out->public_jwk, sizeof(out->public_jwk), st, 3);
	sqlite_copy_text(out->private_sealed, sizeof(out->private_sealed),
	    st, 4);
	out->created_at = sqlite3_column_int64(st, 5);
	out->active_from = sqlite3_column_int64(st, 6);
}

int
sqlite_signing_key_list(struct store_backend *b,
    struct signing_key_row **rows, size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_SIGNING_KEY_LIST, &db);
	void *v = NULL;
	int rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return ERR_STORE;
	rc = sqlite_rows(db, st, read_key, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}
