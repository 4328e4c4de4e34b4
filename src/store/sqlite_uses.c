/* SQLite: the use log (0005_use_log.sql); store.c folds it. */
#include <stdlib.h>

#include "base/err.h"
#include "base/mem.h"
#include "store/sqlite_stmt.h"

int
sqlite_use_log_append(struct store_backend *b, const struct use_entry *uses,
    size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_USE_LOG_APPEND, &db);
	unsigned char *blob;
	int rc;

	if (st == NULL)
		return ERR_STORE;
	blob = use_log_encode(uses, n);
	sqlite3_bind_blob(st, 1, blob, (int)(n * USE_LOG_ENTRY),
	    SQLITE_STATIC);
	rc = sqlite_run(db, st, NULL);
	sqlite3_clear_bindings(st);
	free(blob);
	return rc;
}

int
sqlite_use_log_read(struct store_backend *b, int64_t after, int64_t upto,
    struct use_fold *f, int64_t **ids, size_t *nids)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_USE_LOG_READ, &db);
	int step;

	*ids = xmalloc(USE_LOG_READ * sizeof(**ids));
	*nids = 0;
	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, upto);
	while ((step = sqlite3_step(st)) == SQLITE_ROW &&
	    *nids < USE_LOG_READ) {
		(*ids)[(*nids)++] = sqlite3_column_int64(st, 0);
		use_fold_add(f, sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1));
	}
	sqlite3_reset(st);
	return step == SQLITE_DONE || step == SQLITE_ROW ? 0 :
	    sqlite_err(db, step);
}

int
sqlite_access_touch_many(struct store_backend *b,
    const struct use_entry *uses, size_t n)
{
	int rc = sqlite_simple(b, STMT_BEGIN);

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = sqlite_access_touch(b, uses[i].hash, uses[i].at);
	return sqlite_finish(b, rc);
}

int
sqlite_use_log_delete(struct store_backend *b, const int64_t *ids,
    size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc = sqlite_simple(b, STMT_BEGIN);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		if ((st = sqlite_stmt(b, STMT_USE_LOG_DELETE, &db)) == NULL) {
			rc = ERR_STORE;
			break;
		}
		sqlite3_bind_int64(st, 1, ids[i]);
		rc = sqlite_run(db, st, NULL);
	}
	return sqlite_finish(b, rc);
}
