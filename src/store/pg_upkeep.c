/* PostgreSQL: what `keygate gc` removes and `keygate stats` counts. */
#include "base/err.h"
#include "store/pg_stmt.h"

int
pg_gc(struct store_backend *b, enum store_gc_kind kind,
    const struct store_horizon *h, size_t batch, size_t *removed)
{
	static const enum stmt_id ids[] = { [STORE_GC_ACCESS] = STMT_GC_ACCESS,
	    [STORE_GC_CODES] = STMT_GC_CODES,
	    [STORE_GC_SESSIONS] = STMT_GC_SESSIONS,
	    [STORE_GC_REVEALS] = STMT_GC_REVEALS,
	    [STORE_GC_USAGE] = STMT_GC_USAGE,
	    [STORE_GC_DEVICE] = STMT_GC_DEVICE,
	    [STORE_GC_DPOP] = STMT_GC_DPOP,
	    [STORE_GC_PAR] = STMT_GC_PAR,
	    [STORE_GC_EVENTS] = STMT_GC_EVENTS };
	struct pg_params p = { 0 };
	int rc, changes = 0;

	switch (kind) {
	case STORE_GC_USAGE:
		pgp_int(&p, h->usage_before);
		break;
	case STORE_GC_ACCESS:
		pgp_int(&p, h->at - h->unused_ttl_s);
		pgp_int(&p, h->at - h->max_ttl_s);
		pgp_int(&p, h->at - h->idle_ttl_s);
		break;
	case STORE_GC_CODES:
	case STORE_GC_DEVICE:
	case STORE_GC_PAR:
		pgp_int(&p, h->codes_before);
		break;
	case STORE_GC_SESSIONS:
		pgp_int(&p, h->seen_before);
		pgp_int(&p, h->created_before);
		break;
	case STORE_GC_REVEALS:
		pgp_int(&p, h->reveals_before);
		break;
	case STORE_GC_DPOP:
		pgp_int(&p, h->at);
		break;
	case STORE_GC_EVENTS:
		pgp_int(&p, h->events_before);
		break;
	}
	pgp_int(&p, (int64_t)batch);
	rc = pg_run(b, ids[kind], &p, &changes);
	*removed = rc == 0 ? (size_t)changes : 0;
	return rc;
}

static void
read_counts(const PGresult *res, int row, void *out)
{
	struct store_counts *c = out;

	c->accounts = pg_int(res, row, 0);
	c->apps = pg_int(res, row, 1);
	c->grants = pg_int(res, row, 2);
	c->live_access = pg_int(res, row, 3);
	c->live_refresh = pg_int(res, row, 4);
	c->sessions = pg_int(res, row, 5);
}

int
pg_stats(struct store_backend *b, const struct store_horizon *h,
    struct store_counts *out)
{
	struct pg_params p = { 0 };

	pgp_int(&p, h->at - h->unused_ttl_s);
	pgp_int(&p, h->at - h->max_ttl_s);
	pgp_int(&p, h->at - h->idle_ttl_s);
	pgp_int(&p, h->seen_before);
	pgp_int(&p, h->created_before);
	return pg_row(b, STMT_STATS, &p, read_counts, out);
}
