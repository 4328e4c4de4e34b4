/* SQLite: accounts, browser sessions and personal access tokens. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "store/sqlite_stmt.h"

int
sqlite_account_insert(struct store_backend *b, const char *email,
    const char *password_hash, int64_t now, int64_t *id,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_ACCOUNT_INSERT, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite_run(db, st, NULL);
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(db);
	if (rc == 0)
		rc = sqlite_event_put_as(b, ev, *id, 0);
	return sqlite_event_end(b, ev, rc);
}

void
sqlite_read_account(sqlite3_stmt *st, void *p)
{
	struct account *out = p;

	out->id = sqlite3_column_int64(st, 0);
	sqlite_copy_text(out->email, sizeof(out->email), st, 1);
	sqlite_copy_text(out->password_hash, sizeof(out->password_hash), st, 2);
	out->created_at = sqlite3_column_int64(st, 3);
	out->email_verified = sqlite3_column_int(st, 4) != 0;
	out->disabled_at = sqlite3_column_int64(st, 5);
}

int
sqlite_account_by_email(struct store_backend *b, const char *email,
    struct account *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_ACCOUNT_BY_EMAIL, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	return sqlite_row(db, st, sqlite_read_account, out);
}

int
sqlite_account_by_id(struct store_backend *b, int64_t id, struct account *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_ACCOUNT_BY_ID, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, id);
	return sqlite_row(db, st, sqlite_read_account, out);
}

int
sqlite_session_insert(struct store_backend *b, const unsigned char *hash,
    int64_t account_id, int64_t now, const struct session_origin *from,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_SESSION_INSERT, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, from->address, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, from->user_agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, from->amr);
	rc = sqlite_run(db, st, NULL);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

static void
read_session(sqlite3_stmt *st, void *p)
{
	struct session_row *out = p;

	out->account_id = sqlite3_column_int64(st, 0);
	out->created_at = sqlite3_column_int64(st, 1);
	out->last_seen = sqlite3_column_int64(st, 2);
	out->auth_time = sqlite3_column_int64(st, 3);
	out->amr = (unsigned)sqlite3_column_int64(st, 4);
}

int
sqlite_session_get(struct store_backend *b, const unsigned char *hash,
    struct session_row *out)
{
	return sqlite_row_by_hash(b, STMT_SESSION_GET, hash, read_session, out);
}

int
sqlite_session_reauth(struct store_backend *b, const unsigned char *hash,
    int64_t auth_time, unsigned amr)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_SESSION_REAUTH, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, auth_time);
	sqlite3_bind_int64(st, 3, amr);
	return sqlite_run_one(db, st);
}

int
sqlite_session_touch(struct store_backend *b, const unsigned char *hash,
    int64_t now)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_SESSION_TOUCH, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_blob(st, 2, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	return sqlite_run(db, st, NULL);
}

int
sqlite_session_delete(struct store_backend *b, const unsigned char *hash)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_SESSION_DELETE, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	return sqlite_run(db, st, NULL);
}

int
sqlite_session_trim(struct store_backend *b, int64_t account_id,
    const unsigned char *keep, int64_t max)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_SESSION_TRIM, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_blob(st, 2, keep, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, max);
	return sqlite_run(db, st, NULL);
}

int
sqlite_pat_insert(struct store_backend *b, int64_t account_id,
    const unsigned char *hash, int64_t now, int64_t max, int64_t *id,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int changes = 0, rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_PAT_INSERT, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_blob(st, 2, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, max);
	rc = sqlite_run(db, st, &changes);
	if (rc == 0 && changes == 0)
		rc = ERR_TOOBIG;	/* the account holds max already */
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(db);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

static void
read_pat(sqlite3_stmt *st, void *p)
{
	struct pat_row *out = p;

	out->id = sqlite3_column_int64(st, 0);
	out->account_id = sqlite3_column_int64(st, 1);
	out->created_at = sqlite3_column_int64(st, 2);
	out->last_used_at = sqlite3_column_int64(st, 3);
}

int
sqlite_pat_by_hash(struct store_backend *b, const unsigned char *hash,
    struct pat_row *out)
{
	return sqlite_row_by_hash(b, STMT_PAT_BY_HASH, hash, read_pat, out);
}

int
sqlite_pat_list(struct store_backend *b, int64_t account_id,
    const struct store_page *page, struct pat_row **rows, size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_PAT_LIST, &db);
	void *v;
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, page->after);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)page->max);
	rc = sqlite_rows(db, st, read_pat, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}

int
sqlite_pat_delete(struct store_backend *b, int64_t account_id, int64_t id,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_PAT_DELETE, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, account_id);
	rc = sqlite_run_one(db, st);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

int
sqlite_pat_touch(struct store_backend *b, int64_t id, int64_t now)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_PAT_TOUCH, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	return sqlite_run(db, st, NULL);
}
