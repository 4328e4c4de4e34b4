/* PostgreSQL: the operator's account commands, as sqlite_admin.c. */
#include "base/err.h"
#include "store/pg_stmt.h"

static const enum stmt_id DISABLE_ENDS[] = { STMT_ACCOUNT_END_SESSIONS,
    STMT_ACCOUNT_END_PATS, STMT_ACCOUNT_END_CODES,
    STMT_ACCOUNT_END_FAMILIES };

int
pg_account_list(struct store_backend *b, const struct store_page *page,
    struct account **rows, size_t *n)
{
	struct pg_params p = { 0 };
	void *v;
	int rc;

	pgp_int(&p, page->after);
	pgp_int(&p, (int64_t)page->max);
	rc = pg_rows(b, STMT_ACCOUNT_LIST, &p, pg_read_account, sizeof(**rows),
	    &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}

static void
read_counts(const PGresult *res, int row, void *p)
{
	struct account_counts *out = p;

	out->sessions = pg_int(res, row, 0);
	out->pats = pg_int(res, row, 1);
	out->grants = pg_int(res, row, 2);
}

int
pg_account_counts(struct store_backend *b, int64_t id,
    const struct store_horizon *h, struct account_counts *out)
{
	struct pg_params p = { 0 };

	pgp_int(&p, id);
	pgp_int(&p, h->seen_before);
	pgp_int(&p, h->created_before);
	return pg_row(b, STMT_ACCOUNT_COUNTS, &p, read_counts, out);
}

/* In one transaction: `first` with the parameters p ($1 the account id),
 * the account being there (else ERR_NOTFOUND, nothing written), then each
 * of the `n` statements of `then` on the account id alone; ev only if
 * `first` changed the row (as in sqlite_admin.c). */
static int
account_write(struct store_backend *b, enum stmt_id first,
    const struct pg_params *p, int64_t id, const enum stmt_id *then,
    size_t n, const struct event_new *ev)
{
	struct pg_params just_id = { 0 };
	struct pg_conn *c;
	int64_t found;
	int rc = pg_begin(b, &c), changes = 0;

	if (c == NULL)
		return rc;
	pgp_int(&just_id, id);
	if (rc == 0)
		rc = pg_run_on(c, first, p, &changes);
	if (rc == 0 && changes == 0)
		rc = pg_id_on(c, STMT_ACCOUNT_LOCK, &just_id, &found);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = pg_run_on(c, then[i], &just_id, NULL);
	if (rc == 0 && changes > 0)
		rc = pg_event_put(c, ev);
	return pg_finish(b, c, rc);
}

int
pg_account_disable(struct store_backend *b, int64_t id, int64_t now,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };

	pgp_int(&p, id);
	pgp_int(&p, now);
	return account_write(b, STMT_ACCOUNT_DISABLE, &p, id, DISABLE_ENDS,
	    sizeof(DISABLE_ENDS) / sizeof(DISABLE_ENDS[0]), ev);
}

int
pg_account_enable(struct store_backend *b, int64_t id)
{
	struct pg_params p = { 0 };

	pgp_int(&p, id);
	return account_write(b, STMT_ACCOUNT_ENABLE, &p, id, NULL, 0, NULL);
}

int
pg_account_delete(struct store_backend *b, int64_t id)
{
	struct pg_params p = { 0 };

	pgp_int(&p, id);
	return account_write(b, STMT_ACCOUNT_DELETE, &p, id, NULL, 0, NULL);
}
