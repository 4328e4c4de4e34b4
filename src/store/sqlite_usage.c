/* SQLite: usage per app and hour (0023_usage.sql), written with the use
 * log's batch in one transaction. */
#include <stdlib.h>

#include "base/err.h"
#include "store/sqlite_stmt.h"
#include "store/store.h"

static int
add_one(struct store_backend *b, const struct usage_add *a)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_USAGE_ADD, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, a->app_id);
	sqlite3_bind_int64(st, 2, a->hour);
	for (int k = 0; k < USAGE_KINDS; k++)
		sqlite3_bind_int64(st, 3 + k, a->n[k]);
	return sqlite_run(db, st, NULL);
}

static int
live(struct store_backend *b, int64_t hour)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_USAGE_LIVE, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, hour);
	return sqlite_run(db, st, NULL);
}

int
sqlite_usage_write(struct store_backend *b, const struct use_entry *uses,
    size_t n, const struct usage_add *adds, size_t m, int64_t live_hour)
{
	int rc = sqlite_simple(b, STMT_BEGIN);

	/* no transaction to roll back */
	if (rc != 0)
		return rc;
	if (n > 0)
		rc = sqlite_use_log_append(b, uses, n);
	for (size_t i = 0; rc == 0 && i < m; i++)
		rc = add_one(b, &adds[i]);
	if (rc == 0 && live_hour >= 0)
		rc = live(b, live_hour);
	return sqlite_finish(b, rc);
}

static void
read_hour(sqlite3_stmt *st, void *out)
{
	struct usage_hour *h = out;

	h->hour = sqlite3_column_int64(st, 0);
	for (int k = 0; k < USAGE_KINDS; k++)
		h->n[k] = sqlite3_column_int64(st, 1 + k);
	h->live_users = sqlite3_column_int64(st, 1 + USAGE_KINDS);
}

int
sqlite_usage_read(struct store_backend *b, int64_t app_id, int64_t from,
    int64_t to, struct usage_hour **rows, size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_USAGE_READ, &db);
	void *v;
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, app_id);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	rc = sqlite_rows(db, st, read_hour, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}
