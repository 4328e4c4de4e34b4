/* PostgreSQL: security events (docs/REFERENCE.md §20), written inside the
 * transaction of the change they record. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store/pg_stmt.h"

int
pg_event_put(struct pg_conn *c, const struct event_new *ev)
{
	struct pg_params p = { 0 };

	if (ev == NULL)
		return 0;
	pgp_int(&p, ev->at);
	pgp_int(&p, ev->account_id);
	pgp_int(&p, (int64_t)ev->kind);
	pgp_text(&p, ev->address);
	pgp_int(&p, ev->app_id);
	pgp_text(&p, ev->app);
	pgp_text(&p, ev->detail[0] != '\0' ? ev->detail : "{}");
	return pg_run_on(c, STMT_EVENT_INSERT, &p, NULL);
}

int
pg_event_put_as(struct pg_conn *c, const struct event_new *ev,
    int64_t account_id, int64_t app_id)
{
	struct event_new e;

	if (ev == NULL)
		return 0;
	e = store_event_as(ev, account_id, app_id);
	return pg_event_put(c, &e);
}

int
pg_event_add(struct store_backend *b, const struct event_new *ev)
{
	struct pg_conn *c = pg_acquire(b);
	int rc;

	if (c == NULL)
		return ERR_STORE;
	rc = pg_event_put(c, ev);
	pg_release(b, c);
	return rc;
}

static void
read_event(const PGresult *res, int row, void *out)
{
	struct event_row *r = out;
	int64_t k = pg_int(res, row, 3);

	r->id = pg_int(res, row, 0);
	r->at = pg_int(res, row, 1);
	r->account_id = pg_int(res, row, 2);
	r->kind = k >= 0 && k < EVENT_KINDS ? (enum event_kind)k : EVENT_KINDS;
	pg_copy_text(r->address, sizeof(r->address), res, row, 4);
	pg_copy_text(r->app, sizeof(r->app), res, row, 5);
	pg_copy_text(r->detail, sizeof(r->detail), res, row, 6);
}

int
pg_event_list(struct store_backend *b, int64_t account_id, int kind,
    int64_t app_id, int64_t before, size_t max, struct event_row **rows,
    size_t *n)
{
	struct pg_params p = { 0 };
	void *v;
	int rc;

	pgp_int(&p, account_id);
	pgp_int(&p, kind);
	pgp_int(&p, app_id);
	pgp_int(&p, before);
	pgp_int(&p, (int64_t)max);
	rc = pg_rows(b, STMT_EVENT_LIST, &p, read_event, sizeof(**rows), &v,
	    n);
	if (rc == 0)
		*rows = v;
	return rc;
}
