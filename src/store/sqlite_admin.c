/* SQLite: the operator's account commands (keygate account ...): the list,
 * what an account holds, and the writes that disable, enable or delete it,
 * each one transaction (a new password is sqlite_links.c's). */
#include "base/err.h"
#include "store/sqlite_stmt.h"

/* What disabling ends besides the flag. */
static const enum stmt_id DISABLE_ENDS[] = { STMT_ACCOUNT_END_SESSIONS,
    STMT_ACCOUNT_END_PATS, STMT_ACCOUNT_END_CODES,
    STMT_ACCOUNT_END_FAMILIES };

int
sqlite_account_list(struct store_backend *b, const struct store_page *page,
    struct account **rows, size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_ACCOUNT_LIST, &db);
	void *v;
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, page->after);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)page->max);
	rc = sqlite_rows(db, st, sqlite_read_account, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}

static void
read_counts(sqlite3_stmt *st, void *p)
{
	struct account_counts *out = p;

	out->sessions = sqlite3_column_int64(st, 0);
	out->pats = sqlite3_column_int64(st, 1);
	out->grants = sqlite3_column_int64(st, 2);
}

int
sqlite_account_counts(struct store_backend *b, int64_t id,
    const struct store_horizon *h, struct account_counts *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_ACCOUNT_COUNTS, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, h->seen_before);
	sqlite3_bind_int64(st, 3, h->created_before);
	return sqlite_row(db, st, read_counts, out);
}

static void
read_nothing(sqlite3_stmt *st, void *out)
{
	(void)st;
	(void)out;
}

/* 0 when account id exists, else ERR_NOTFOUND */
static int
account_there(struct store_backend *b, int64_t id)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_ACCOUNT_LOCK, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, id);
	return sqlite_row(db, st, read_nothing, NULL);
}

/* In one transaction: `first` on account id (?1, and *at as ?2 unless at
 * is NULL), the account being there (else ERR_NOTFOUND, nothing written),
 * then each of the `n` statements of `then` on the account id alone; ev
 * only if `first` changed the row (disabling a disabled account is no
 * change to record). */
static int
account_write(struct store_backend *b, enum stmt_id first, int64_t id,
    const int64_t *at, const enum stmt_id *then, size_t n,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int changes = 0, rc;

	if ((rc = sqlite_simple(b, STMT_BEGIN)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, first, &db)) == NULL)
		return sqlite_finish(b, ERR_STORE);
	sqlite3_bind_int64(st, 1, id);
	if (at != NULL)
		sqlite3_bind_int64(st, 2, *at);
	rc = sqlite_run(db, st, &changes);
	if (rc == 0 && changes == 0)
		rc = account_there(b, id);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if ((st = sqlite_stmt(b, then[i], &db)) == NULL) {
			rc = ERR_STORE;
			break;
		}
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite_run(db, st, NULL);
	}
	if (rc == 0 && changes > 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_finish(b, rc);
}

int
sqlite_account_disable(struct store_backend *b, int64_t id, int64_t now,
    const struct event_new *ev)
{
	return account_write(b, STMT_ACCOUNT_DISABLE, id, &now, DISABLE_ENDS,
	    sizeof(DISABLE_ENDS) / sizeof(DISABLE_ENDS[0]), ev);
}

int
sqlite_account_enable(struct store_backend *b, int64_t id)
{
	return account_write(b, STMT_ACCOUNT_ENABLE, id, NULL, NULL, 0, NULL);
}

int
sqlite_account_delete(struct store_backend *b, int64_t id)
{
	return account_write(b, STMT_ACCOUNT_DELETE, id, NULL, NULL, 0, NULL);
}
