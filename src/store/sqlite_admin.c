/* SQLite: the operator's account commands (keygate account ...): the list,
 * what an account holds, and the writes that disable, enable, delete it or
 * replace its password, each one transaction. */
#include "base/err.h"
#include "store/sqlite_stmt.h"

/* What disabling ends besides the flag. */
static const enum stmt_id DISABLE_ENDS[] = { STMT_ACCOUNT_END_SESSIONS,
    STMT_ACCOUNT_END_PATS, STMT_ACCOUNT_END_CODES };

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

	out->apps = sqlite3_column_int64(st, 0);
	out->sessions = sqlite3_column_int64(st, 1);
	out->pats = sqlite3_column_int64(st, 2);
	out->grants = sqlite3_column_int64(st, 3);
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

/* The second parameter of an account write: text, a number, or none. */
struct second {
	const char	*text;
	int64_t		 num;
	bool		 has_num;
};

/* In one transaction: `first` on account id (?1, and `arg` as ?2), which
 * must find it (else ERR_NOTFOUND, nothing written), then each of the
 * `n` statements of `then` on the account id alone. */
static int
account_write(struct store_backend *b, enum stmt_id first, int64_t id,
    const struct second *arg, const enum stmt_id *then, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc, changes = 0;

	if ((rc = sqlite_simple(b, STMT_BEGIN)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, first, &db)) == NULL)
		return sqlite_finish(b, ERR_STORE);
	sqlite3_bind_int64(st, 1, id);
	if (arg->text != NULL)
		sqlite3_bind_text(st, 2, arg->text, -1, SQLITE_STATIC);
	else if (arg->has_num)
		sqlite3_bind_int64(st, 2, arg->num);
	rc = sqlite_run(db, st, &changes);
	if (rc == 0 && changes == 0)
		rc = ERR_NOTFOUND;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if ((st = sqlite_stmt(b, then[i], &db)) == NULL) {
			rc = ERR_STORE;
			break;
		}
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite_run(db, st, NULL);
	}
	return sqlite_finish(b, rc);
}

int
sqlite_account_disable(struct store_backend *b, int64_t id, int64_t now)
{
	struct second at = { NULL, now, true };

	return account_write(b, STMT_ACCOUNT_DISABLE, id, &at, DISABLE_ENDS,
	    sizeof(DISABLE_ENDS) / sizeof(DISABLE_ENDS[0]));
}

int
sqlite_account_enable(struct store_backend *b, int64_t id)
{
	struct second none = { 0 };

	return account_write(b, STMT_ACCOUNT_ENABLE, id, &none, NULL, 0);
}

int
sqlite_account_delete(struct store_backend *b, int64_t id)
{
	struct second none = { 0 };

	return account_write(b, STMT_ACCOUNT_DELETE, id, &none, NULL, 0);
}
