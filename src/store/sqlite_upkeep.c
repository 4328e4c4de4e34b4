/* SQLite: what `keygate gc` removes and `keygate stats` counts. */
#include "base/err.h"
#include "store/sqlite_stmt.h"

int
sqlite_gc(struct store_backend *b, enum store_gc_kind kind,
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
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, ids[kind], &db);
	int rc, changes = 0, n = 1;

	if (st == NULL)
		return ERR_STORE;
	switch (kind) {
	case STORE_GC_USAGE:
		sqlite3_bind_int64(st, n++, h->usage_before);
		break;
	case STORE_GC_ACCESS:
		sqlite3_bind_int64(st, n++, h->at - h->unused_ttl_s);
		sqlite3_bind_int64(st, n++, h->at - h->max_ttl_s);
		sqlite3_bind_int64(st, n++, h->at - h->idle_ttl_s);
		break;
	case STORE_GC_CODES:
	case STORE_GC_DEVICE:
	case STORE_GC_PAR:
		sqlite3_bind_int64(st, n++, h->codes_before);
		break;
	case STORE_GC_SESSIONS:
		sqlite3_bind_int64(st, n++, h->seen_before);
		sqlite3_bind_int64(st, n++, h->created_before);
		break;
	case STORE_GC_REVEALS:
		sqlite3_bind_int64(st, n++, h->reveals_before);
		break;
	case STORE_GC_DPOP:
		sqlite3_bind_int64(st, n++, h->at);
		break;
	case STORE_GC_EVENTS:
		sqlite3_bind_int64(st, n++, h->events_before);
		break;
	}
	sqlite3_bind_int64(st, n, (sqlite3_int64)batch);
	/* one statement, so one transaction of its own */
	rc = sqlite_run(db, st, &changes);
	*removed = rc == 0 ? (size_t)changes : 0;
	return rc;
}

static void
read_counts(sqlite3_stmt *st, void *out)
{
	struct store_counts *c = out;

	c->accounts = sqlite3_column_int64(st, 0);
	c->apps = sqlite3_column_int64(st, 1);
	c->grants = sqlite3_column_int64(st, 2);
	c->live_access = sqlite3_column_int64(st, 3);
	c->live_refresh = sqlite3_column_int64(st, 4);
	c->sessions = sqlite3_column_int64(st, 5);
}

int
sqlite_stats(struct store_backend *b, const struct store_horizon *h,
    struct store_counts *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_STATS, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, h->at - h->unused_ttl_s);
	sqlite3_bind_int64(st, 2, h->at - h->max_ttl_s);
	sqlite3_bind_int64(st, 3, h->at - h->idle_ttl_s);
	sqlite3_bind_int64(st, 4, h->seen_before);
	sqlite3_bind_int64(st, 5, h->created_before);
	return sqlite_row(db, st, read_counts, out);
}
