/* SQLite: security events (docs/REFERENCE.md §20), written inside the
 * transaction of the change they record. */
#include <string.h>

#include "base/err.h"
#include "store/sqlite_stmt.h"

int
sqlite_event_put(struct store_backend *b, const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	if (ev == NULL)
		return 0;
	if ((st = sqlite_stmt(b, STMT_EVENT_INSERT, &db)) == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, ev->at);
	sqlite3_bind_int64(st, 2, ev->account_id);
	sqlite3_bind_int(st, 3, (int)ev->kind);
	sqlite3_bind_text(st, 4, ev->address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ev->app_id);
	sqlite3_bind_text(st, 6, ev->app, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, ev->detail[0] != '\0' ? ev->detail : "{}",
	    -1, SQLITE_STATIC);
	return sqlite_run(db, st, NULL);
}

int
sqlite_event_put_as(struct store_backend *b, const struct event_new *ev,
    int64_t account_id, int64_t app_id)
{
	struct event_new e;

	if (ev == NULL)
		return 0;
	e = store_event_as(ev, account_id, app_id);
	return sqlite_event_put(b, &e);
}

int
sqlite_event_begin(struct store_backend *b, const struct event_new *ev)
{
	return ev == NULL ? 0 : sqlite_simple(b, STMT_BEGIN);
}

int
sqlite_event_end(struct store_backend *b, const struct event_new *ev,
    int rc)
{
	return ev == NULL ? rc : sqlite_finish(b, rc);
}

int
sqlite_event_add(struct store_backend *b, const struct event_new *ev)
{
	/* one statement, so one transaction of its own */
	return sqlite_event_put(b, ev);
}

static void
read_event(sqlite3_stmt *st, void *out)
{
	struct event_row *r = out;
	int k = sqlite3_column_int(st, 3);

	r->id = sqlite3_column_int64(st, 0);
	r->at = sqlite3_column_int64(st, 1);
	r->account_id = sqlite3_column_int64(st, 2);
	r->kind = k >= 0 && k < EVENT_KINDS ? (enum event_kind)k : EVENT_KINDS;
	sqlite_copy_text(r->address, sizeof(r->address), st, 4);
	sqlite_copy_text(r->app, sizeof(r->app), st, 5);
	sqlite_copy_text(r->detail, sizeof(r->detail), st, 6);
}

int
sqlite_event_list(struct store_backend *b, int64_t account_id, int kind,
    int64_t app_id, int64_t before, size_t max, struct event_row **rows,
    size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_EVENT_LIST, &db);
	void *v;
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int(st, 2, kind);
	sqlite3_bind_int64(st, 3, app_id);
	sqlite3_bind_int64(st, 4, before);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)max);
	rc = sqlite_rows(db, st, read_event, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}
