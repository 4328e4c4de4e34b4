/* PostgreSQL: usage per app and hour (0023_usage.sql), as
 * sqlite_usage.c. */
#include <stdlib.h>

#include "base/err.h"
#include "base/buf.h"
#include "base/mem.h"
#include "store/pg_stmt.h"
#include "store/store.h"

/* Column j of an add: the app, the hour, then the kinds. */
static int64_t
column(const struct usage_add *a, int j)
{
	return j == 0 ? a->app_id : j == 1 ? a->hour : a->n[j - 2];
}

/* Every add in one statement, each column an array (unnest() pairs them
 * up): one round trip inside the keeper's transaction, not one a row. */
static int
add_all(struct pg_conn *c, const struct usage_add *adds, size_t m)
{
	struct buf cols[2 + USAGE_KINDS];
	struct pg_params p = { 0 };
	int rc = 0;

	for (int j = 0; j < 2 + USAGE_KINDS; j++) {
		/* "{" "}" and a sign, 19 digits and a comma an entry */
		buf_init(&cols[j], 3 + 21 * m);
		buf_puts(&cols[j], "{");
		for (size_t i = 0; i < m; i++)
			buf_printf(&cols[j], "%s%lld", i > 0 ? "," : "",
			    (long long)column(&adds[i], j));
		buf_puts(&cols[j], "}");
		if (cols[j].err != 0)
			rc = ERR_STORE;
		pgp_text(&p, cols[j].p);
	}
	if (rc == 0)
		rc = pg_run_on(c, STMT_USAGE_ADD, &p, NULL);
	for (int j = 0; j < 2 + USAGE_KINDS; j++)
		buf_release(&cols[j]);
	return rc;
}

int
pg_usage_write(struct store_backend *b, const struct use_entry *uses,
    size_t n, const struct usage_add *adds, size_t m, int64_t live_hour)
{
	struct pg_conn *c;
	int rc = pg_begin(b, &c);

	if (c == NULL)
		return rc;
	if (rc == 0 && n > 0)
		rc = pg_use_log_append_on(c, uses, n);
	if (rc == 0 && m > 0)
		rc = add_all(c, adds, m);
	if (rc == 0 && live_hour >= 0) {
		struct pg_params h = { 0 };

		pgp_int(&h, live_hour);
		rc = pg_run_on(c, STMT_USAGE_LIVE, &h, NULL);
	}
	return pg_finish(b, c, rc);
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
