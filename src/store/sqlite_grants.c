/* SQLite: grants and authorization codes. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store/sqlite_stmt.h"

int
sqlite_grant_upsert(struct store_backend *b, int64_t account_id,
    int64_t app_id, unsigned scope, int64_t now, int64_t *grant_id)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_GRANT_UPSERT, &db);
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, app_id);
	sqlite3_bind_int64(st, 3, scope);
	sqlite3_bind_int64(st, 4, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*grant_id = sqlite3_column_int64(st, 0);
	/* RETURNING commits when the statement is reset, so step to DONE. */
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	return sqlite_end(st, rc == SQLITE_DONE ? 0 : sqlite_err(db, rc));
}

struct grant_pair {
	int64_t		 id;
	unsigned	 scope;
};

static void
read_pair(sqlite3_stmt *st, void *p)
{
	struct grant_pair *g = p;

	g->id = sqlite3_column_int64(st, 0);
	g->scope = (unsigned)sqlite3_column_int64(st, 1);
}

int
sqlite_grant_get(struct store_backend *b, int64_t account_id, int64_t app_id,
    int64_t *grant_id, unsigned *scope)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_GRANT_GET, &db);
	struct grant_pair g;
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, app_id);
	rc = sqlite_row(db, st, read_pair, &g);
	if (rc == 0) {
		*grant_id = g.id;
		*scope = g.scope;
	}
	return rc;
}

int
sqlite_grant_delete(struct store_backend *b, int64_t account_id,
    int64_t app_id, const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_GRANT_DELETE, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, app_id);
	rc = sqlite_run_one(db, st);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

static void
read_grant(sqlite3_stmt *st, void *p)
{
	struct grant_row *g = p;

	g->id = sqlite3_column_int64(st, 0);
	g->app_id = sqlite3_column_int64(st, 1);
	g->scope = (unsigned)sqlite3_column_int64(st, 2);
	g->created_at = sqlite3_column_int64(st, 3);
	sqlite_copy_text(g->api_key, sizeof(g->api_key), st, 4);
	sqlite_copy_text(g->public_name, sizeof(g->public_name), st, 5);
}

int
sqlite_grant_list(struct store_backend *b, int64_t account_id,
    const struct store_page *page, struct grant_row **rows, size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_GRANT_LIST, &db);
	void *v;
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, page->after);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)page->max);
	rc = sqlite_rows(db, st, read_grant, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}

static int
insert_code(struct store_backend *b, const unsigned char *hash,
    const struct code_row *row)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_CODE_INSERT, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, row->grant_id);
	sqlite3_bind_text(st, 3, row->redirect_uri, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, row->scope);
	sqlite3_bind_text(st, 5, row->challenge, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, row->expires_at);
	sqlite3_bind_text(st, 7, row->nonce, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, row->auth_time);
	sqlite3_bind_int64(st, 9, row->amr);
	if (row->bound)
		sqlite3_bind_blob(st, 10, row->jkt, SECURE_HASH_BYTES,
		    SQLITE_STATIC);
	return sqlite_run(db, st, NULL);
}

/* The grant_given event goes with a consent that is new or wider than
 * the one stored: read in the same transaction, before the upsert. */
int
sqlite_grant_consent(struct store_backend *b, int64_t account_id,
    int64_t app_id, unsigned scope, int64_t now, int64_t *grant_id,
    const struct event_new *ev)
{
	int64_t had_id;
	unsigned had = 0;	/* a scope is never 0 */
	int rc = ev == NULL ? 0 : sqlite_grant_get(b, account_id, app_id,
	    &had_id, &had);

	if (rc != 0 && rc != ERR_NOTFOUND)
		return rc;
	rc = sqlite_grant_upsert(b, account_id, app_id, scope, now, grant_id);
	if (rc == 0 && (had | scope) != had)
		rc = sqlite_event_put_as(b, ev, 0, app_id);
	return rc;
}

int
sqlite_code_insert_in(struct store_backend *b, const unsigned char *hash,
    struct code_row *row, const struct event_new *ev)
{
	int rc = sqlite_grant_consent(b, row->account_id, row->app_id,
	    row->scope, row->issued_at, &row->grant_id, ev);

	return rc == 0 ? insert_code(b, hash, row) : rc;
}

int
sqlite_code_insert(struct store_backend *b, const unsigned char *hash,
    struct code_row *row, const struct event_new *ev)
{
	int rc;

	if (row->grant_id != 0)
		return insert_code(b, hash, row);
	if ((rc = sqlite_simple(b, STMT_BEGIN)) != 0)
		return rc;
	return sqlite_finish(b, sqlite_code_insert_in(b, hash, row, ev));
}

static void
read_code(sqlite3_stmt *st, void *p)
{
	struct code_row *c = p;

	c->grant_id = sqlite3_column_int64(st, 0);
	c->account_id = sqlite3_column_int64(st, 1);
	c->app_id = sqlite3_column_int64(st, 2);
	sqlite_copy_text(c->redirect_uri, sizeof(c->redirect_uri), st, 3);
	c->scope = (unsigned)sqlite3_column_int64(st, 4);
	sqlite_copy_text(c->challenge, sizeof(c->challenge), st, 5);
	c->expires_at = sqlite3_column_int64(st, 6);
	c->used = sqlite3_column_int(st, 7) != 0;
	c->family_id = sqlite3_column_int64(st, 8);
	sqlite_copy_text(c->nonce, sizeof(c->nonce), st, 9);
	c->auth_time = sqlite3_column_int64(st, 10);
	c->amr = (unsigned)sqlite3_column_int64(st, 11);
	sqlite_read_jkt(st, 12, &c->bound, c->jkt);
}

int
sqlite_code_get(struct store_backend *b, const unsigned char *hash,
    struct code_row *out)
{
	return sqlite_row_by_hash(b, STMT_CODE_GET, hash, read_code, out);
}

int
sqlite_code_take(struct store_backend *b, const unsigned char *hash,
    int64_t app_id, struct code_row *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_CODE_USE, &db);
	int rc, changes = 0;

	if (st == NULL)
		return ERR_STORE;
	/* The UPDATE is the compare-and-set: one caller of the code's own
	 * client sees a change; another client's never does. */
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, app_id);
	if ((rc = sqlite_run(db, st, &changes)) != 0)
		return rc;
	rc = sqlite_code_get(b, hash, out);
	if (rc != 0)
		return rc;
	return changes == 0 ? ERR_CONFLICT : 0;
}
