/* PostgreSQL: usage per app and hour (0023_usage.sql), as
 * sqlite_usage.c. */
#include <stdlib.h>

#include "base/err.h"
#include "base/mem.h"
#include "store/pg_stmt.h"
#include "store/store.h"

static int
add_one(struct pg_conn *c, const struct usage_add *a)
{
	struct pg_params p = { 0 };

	pgp_int(&p, a->app_id);
	pgp_int(&p, a->hour);
	for (int k = 0; k < USAGE_KINDS; k++)
		pgp_int(&p, a->n[k]);
	return pg_run_on(c, STMT_USAGE_ADD, &p, NULL);
}

int
pg_usage_write(struct store_backend *b, const struct use_entry *uses,
    size_t n, const struct usage_add *adds, size_t m, int64_t live_hour)
{
	struct pg_params p = { 0 };
	struct pg_conn *c;
	unsigned char *blob = NULL;
	int rc = pg_begin(b, &c);

	if (c == NULL)
		return rc;
	if (rc == 0 && n > 0) {
		blob = use_log_encode(uses, n);
		pgp_bytes(&p, blob, n * USE_LOG_ENTRY);
		rc = pg_run_on(c, STMT_USE_LOG_APPEND, &p, NULL);
	}
	for (size_t i = 0; rc == 0 && i < m; i++)
		rc = add_one(c, &adds[i]);
	if (rc == 0 && live_hour >= 0) {
		struct pg_params h = { 0 };

		pgp_int(&h, live_hour);
		rc = pg_run_on(c, STMT_USAGE_LIVE, &h, NULL);
	}
	rc = pg_finish(b, c, rc);
	free(blob);
	return rc;
}

static void
read_hour(const PGresult *res, int row, void *out)
{
	struct usage_hour *h = out;

	h->hour = pg_int(res, row, 0);
	for (int k = 0; k < USAGE_KINDS; k++)
		h->n[k] = pg_int(res, row, 1 + k);
	h->live_users = pg_int(res, row, 1 + USAGE_KINDS);
}

int
pg_usage_read(struct store_backend *b, int64_t app_id, int64_t from,
    int64_t to, struct usage_hour **rows, size_t *n)
{
	struct pg_params p = { 0 };
	void *v;
	int rc;

	pgp_int(&p, app_id);
	pgp_int(&p, from);
	pgp_int(&p, to);
	rc = pg_rows(b, STMT_USAGE_READ, &p, read_hour, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}
