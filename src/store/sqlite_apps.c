/* SQLite: applications. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "store/sqlite_stmt.h"

int
sqlite_app_insert(struct store_backend *b, struct app_row *row, int64_t max,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int changes = 0, rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_APP_INSERT, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_int64(st, 1, row->account_id);
	sqlite3_bind_text(st, 2, row->api_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, row->public_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, row->logo_url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, row->description, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, row->redirect_uris, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, row->implicit_flow);
	sqlite3_bind_int64(st, 9, row->created_at);
	sqlite3_bind_int64(st, 10, max);
	sqlite3_bind_text(st, 11, row->id_token_alg, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, row->post_logout_redirect_uris, -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(st, 13, row->device_flow);
	sqlite3_bind_int(st, 14, row->dpop_bound);
	sqlite3_bind_int(st, 15, row->require_par);
	/* a registration's secret comes with its app (core/registration.h) */
	if (row->has_secret) {
		sqlite3_bind_blob(st, 16, row->secret_hash, SECURE_HASH_BYTES,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 17, row->secret_created_at);
	} else {
		sqlite3_bind_null(st, 16);
		sqlite3_bind_null(st, 17);
	}
	sqlite3_bind_int64(st, 18, row->secret_id);
	rc = sqlite_run(db, st, &changes);
	if (rc == 0 && changes == 0)
		rc = ERR_TOOBIG;	/* the owner has max already */
	if (rc == 0)
		row->id = sqlite3_last_insert_rowid(db);
	if (rc == 0)
		rc = sqlite_event_put_as(b, ev, 0, row->id);
	return sqlite_event_end(b, ev, rc);
}

static void
read_app(sqlite3_stmt *st, void *p)
{
	struct app_row *out = p;

	out->id = sqlite3_column_int64(st, 0);
	out->account_id = sqlite3_column_int64(st, 1);
	sqlite_copy_text(out->api_key, sizeof(out->api_key), st, 2);
	sqlite_copy_text(out->name, sizeof(out->name), st, 3);
	sqlite_copy_text(out->public_name, sizeof(out->public_name), st, 4);
	sqlite_copy_text(out->logo_url, sizeof(out->logo_url), st, 5);
	sqlite_copy_text(out->description, sizeof(out->description), st, 6);
	sqlite_copy_text(out->redirect_uris, sizeof(out->redirect_uris), st,
	    7);
	out->implicit_flow = sqlite3_column_int(st, 8) != 0;
	out->has_secret = sqlite3_column_bytes(st, 9) == SECURE_HASH_BYTES;
	if (out->has_secret)
		memcpy(out->secret_hash, sqlite3_column_blob(st, 9),
		    SECURE_HASH_BYTES);
	else
		memset(out->secret_hash, 0, SECURE_HASH_BYTES);
	out->created_at = sqlite3_column_int64(st, 10);
	out->secret_created_at = sqlite3_column_int64(st, 11);
	out->owner_disabled = sqlite3_column_int(st, 12) != 0;
	sqlite_copy_text(out->id_token_alg, sizeof(out->id_token_alg), st,
	    13);
	sqlite_copy_text(out->post_logout_redirect_uris,
	    sizeof(out->post_logout_redirect_uris), st, 14);
	out->device_flow = sqlite3_column_int(st, 15) != 0;
	out->dpop_bound = sqlite3_column_int(st, 16) != 0;
	out->require_par = sqlite3_column_int(st, 17) != 0;
	out->secret_id = sqlite3_column_int64(st, 18);
	out->secret_used_at = sqlite3_column_int64(st, 19);
	out->has_old_secret = sqlite3_column_bytes(st, 20) ==
	    SECURE_HASH_BYTES;
	if (out->has_old_secret)
		memcpy(out->old_secret_hash, sqlite3_column_blob(st, 20),
		    SECURE_HASH_BYTES);
	else
		memset(out->old_secret_hash, 0, SECURE_HASH_BYTES);
	out->old_secret_id = sqlite3_column_int64(st, 21);
	out->old_secret_created_at = sqlite3_column_int64(st, 22);
	out->old_secret_used_at = sqlite3_column_int64(st, 23);
	out->old_secret_expires_at = sqlite3_column_int64(st, 24);
}

int
sqlite_app_get(struct store_backend *b, int64_t account_id,
    const char *api_key, struct app_row *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_APP_GET, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_text(st, 1, api_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, account_id);
	return sqlite_row(db, st, read_app, out);
}

int
sqlite_app_list(struct store_backend *b, int64_t account_id,
    const struct store_page *page, struct app_row **rows, size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_APP_LIST, &db);
	void *v;
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, page->after);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)page->max);
	rc = sqlite_rows(db, st, read_app, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}

int
sqlite_app_update(struct store_backend *b, const struct app_row *row,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_APP_UPDATE, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_text(st, 1, row->public_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->logo_url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->description, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, row->redirect_uris, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, row->implicit_flow);
	sqlite3_bind_text(st, 6, row->id_token_alg, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, row->post_logout_redirect_uris, -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(st, 8, row->device_flow);
	sqlite3_bind_int(st, 9, row->dpop_bound);
	sqlite3_bind_int(st, 10, row->require_par);
	sqlite3_bind_int64(st, 11, row->id);
	rc = sqlite_run_one(db, st);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

int
sqlite_app_delete(struct store_backend *b, int64_t account_id,
    const char *api_key,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_APP_DELETE, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_text(st, 1, api_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, account_id);
	rc = sqlite_run_one(db, st);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

int
sqlite_app_set_secret(struct store_backend *b, int64_t account_id,
    const char *api_key, const unsigned char *hash, int64_t now,
    int64_t keep_s,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_APP_SET_SECRET, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_text(st, 1, api_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_blob(st, 3, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, keep_s);
	rc = sqlite_run_one(db, st);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

int
sqlite_app_revoke_old_secret(struct store_backend *b, int64_t account_id,
    const char *api_key, int64_t secret_id, int64_t now,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_APP_REVOKE_OLD_SECRET, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_text(st, 1, api_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_int64(st, 3, secret_id);
	sqlite3_bind_int64(st, 4, now);
	rc = sqlite_run_one(db, st);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

int
sqlite_app_secret_used(struct store_backend *b, int64_t app_id,
    int64_t secret_id, int64_t at)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_APP_SECRET_USED, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, app_id);
	sqlite3_bind_int64(st, 2, secret_id);
	sqlite3_bind_int64(st, 3, at);
	return sqlite_run(db, st, NULL);
}

int
sqlite_app_reuse_notice(struct store_backend *b, int64_t app_id,
    int64_t now, int64_t gap_s)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_APP_REUSE_NOTICE, &db);
	int changes = 0, rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, app_id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, gap_s);
	rc = sqlite_run(db, st, &changes);
	return rc == 0 && changes == 0 ? ERR_CONFLICT : rc;
}

int
sqlite_reveal_insert(struct store_backend *b, const unsigned char *hash,
    int64_t expires_at)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_REVEAL_INSERT, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, expires_at);
	return sqlite_run(db, st, NULL);
}

static void
read_expiry(sqlite3_stmt *st, void *p)
{
	*(int64_t *)p = sqlite3_column_int64(st, 0);
}

int
sqlite_reveal_take(struct store_backend *b, const unsigned char *hash,
    int64_t *expires_at)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_REVEAL_TAKE, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	return sqlite_take_row(db, st, read_expiry, expires_at);
}

/* STMT_CIMD_OWNER then STMT_CIMD_PUT: each alone is safe to repeat, and
 * the second needs only that the first ran once. */
int
sqlite_cimd_app_put(struct store_backend *b, const struct app_row *row,
    int64_t now)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc, changes = 0;

	if ((st = sqlite_stmt(b, STMT_CIMD_OWNER, &db)) == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, now);
	if ((rc = sqlite_run(db, st, NULL)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_CIMD_PUT, &db)) == NULL)
		return ERR_STORE;
	sqlite3_bind_text(st, 1, row->api_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->public_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->logo_url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, row->redirect_uris, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	if ((rc = sqlite_run(db, st, &changes)) != 0)
		return rc;
	return changes == 1 ? 0 : ERR_EXISTS;
}
