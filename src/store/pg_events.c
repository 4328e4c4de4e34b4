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
	e = *ev;
	if (account_id != 0)
		e.account_id = account_id;
	if (app_id != 0)
		e.app_id = app_id;
	return pg_event_put(c, &e);
}

int
pg_id_on(struct pg_conn *c, enum stmt_id id, const struct pg_params *p,
    int64_t *out)
{
	PGresult *res;
	int rc = pg_exec(c, id, p, &res);

	if (rc != 0)
		return rc;
	if (PQntuples(res) == 1)
		*out = pg_int(res, 0, 0);
	else
		rc = ERR_NOTFOUND;
	PQclear(res);
	return rc;
}

int
pg_run_event(struct store_backend *b, enum stmt_id id,
    const struct pg_params *p, const struct event_new *ev, bool one)
{
	struct pg_conn *c;
	int changes = 0, rc;

	if (ev == NULL)
		return one ? pg_run_one(b, id, p) : pg_run(b, id, p, NULL);
	rc = pg_begin(b, &c);
	if (c == NULL)
		return rc;
	if (rc == 0)
		rc = pg_run_on(c, id, p, &changes);
	if (rc == 0 && one && changes == 0)
		rc = ERR_NOTFOUND;
	/* an event only for a change made (a family revoked already is
	 * none) */
	if (rc == 0 && changes > 0)
		rc = pg_event_put(c, ev);
	return pg_finish(b, c, rc);
}

/* Here rather than in pg_pool.c, whose helpers it and the events' use:
 * the inserts it caps (apps, personal tokens) take an event. */
int
pg_insert_capped(struct store_backend *b, int64_t account_id,
    enum stmt_id id, const struct pg_params *p, int64_t *new_id,
    const struct event_new *ev, bool new_app)
{
	struct pg_params owner = { 0 };
	struct pg_conn *c;
	PGresult *res;
	int rc;

	pgp_int(&owner, account_id);
	rc = pg_begin(b, &c);
	if (c == NULL)
		return rc;
	/* Under READ COMMITTED each statement reads a fresh snapshot: the
	 * count below, taken once the lock is ours, sees every insert
	 * that held it before. */
	if (rc == 0)
		rc = pg_run_on(c, STMT_ACCOUNT_LOCK, &owner, NULL);
	if (rc == 0)
		rc = pg_exec(c, id, p, &res);
	if (rc == 0) {
		if (PQntuples(res) == 1)
			pg_read_id(res, 0, new_id);
		else
			rc = ERR_TOOBIG;
		PQclear(res);
	}
	if (rc == 0)
		rc = pg_event_put_as(c, ev, 0, new_app ? *new_id : 0);
	return pg_finish(b, c, rc);
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
