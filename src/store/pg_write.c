/* PostgreSQL: writes with a security event (docs/REFERENCE.md §20) in
 * their transaction, on pg_pool.c's connections and pg_events.c's put:
 * kept apart from both, which each stay below it. */
#include "base/err.h"
#include "store/pg_stmt.h"

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
