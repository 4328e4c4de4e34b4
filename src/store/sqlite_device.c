/* SQLite: device grants (RFC 8628). */
#include <string.h>

#include "base/err.h"
#include "store/sqlite_stmt.h"

int
sqlite_device_insert(struct store_backend *b, const unsigned char *hash,
    const struct device_row *row)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_DEVICE_INSERT, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->user_code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, row->app_id);
	sqlite3_bind_int64(st, 4, row->scope);
	sqlite3_bind_int64(st, 5, row->created_at);
	sqlite3_bind_int64(st, 6, row->expires_at);
	sqlite3_bind_int64(st, 7, row->interval_s);
	return sqlite_run(db, st, NULL);
}

/* user_code, app_id, api_key, then DEVICE_FIELDS (sqlite_sql.c) */
static void
read_device(sqlite3_stmt *st, void *p)
{
	struct device_row *d = p;

	sqlite_copy_text(d->user_code, sizeof(d->user_code), st, 0);
	d->app_id = sqlite3_column_int64(st, 1);
	sqlite_copy_text(d->api_key, sizeof(d->api_key), st, 2);
	d->scope = (unsigned)sqlite3_column_int64(st, 3);
	d->created_at = sqlite3_column_int64(st, 4);
	d->expires_at = sqlite3_column_int64(st, 5);
	d->interval_s = sqlite3_column_int64(st, 6);
	d->slow_down = sqlite3_column_int(st, 7) != 0;
	d->state = sqlite3_column_int(st, 8);
	d->account_id = sqlite3_column_int64(st, 9);
	d->auth_time = sqlite3_column_int64(st, 10);
	d->amr = (unsigned)sqlite3_column_int64(st, 11);
}

int
sqlite_device_find(struct store_backend *b, const char *user_code,
    int64_t now, struct device_row *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_DEVICE_FIND, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_text(st, 1, user_code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return sqlite_row(db, st, read_device, out);
}

int
sqlite_device_poll(struct store_backend *b, const unsigned char *hash,
    int64_t app_id, int64_t now, int64_t step_s, struct device_row *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_DEVICE_POLL, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, app_id);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, step_s);
	return sqlite_take_row(db, st, read_device, out);
}

/* What the decision's compare-and-set gives back: the code to write. */
struct decided {
	unsigned char	 hash[SECURE_HASH_BYTES];
	struct code_row	 code;
};

static void
read_decided(sqlite3_stmt *st, void *p)
{
	struct decided *d = p;

	if (sqlite3_column_bytes(st, 0) == SECURE_HASH_BYTES)
		memcpy(d->hash, sqlite3_column_blob(st, 0), SECURE_HASH_BYTES);
	d->code.app_id = sqlite3_column_int64(st, 1);
	d->code.scope = (unsigned)sqlite3_column_int64(st, 2);
	d->code.expires_at = sqlite3_column_int64(st, 3);
}

static int
set_state(struct store_backend *b, const char *user_code,
    const struct device_decision *d, struct decided *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_DEVICE_DECIDE, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_text(st, 1, user_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->approve ? "approved" : "denied", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, d->account_id);
	sqlite3_bind_int64(st, 4, d->auth_time);
	sqlite3_bind_int64(st, 5, d->amr);
	sqlite3_bind_int64(st, 6, d->now);
	return sqlite_take_row(db, st, read_decided, out);
}

int
sqlite_device_decide(struct store_backend *b, const char *user_code,
    const struct device_decision *d, const struct event_new *ev)
{
	struct decided g;
	int rc;

	memset(&g, 0, sizeof(g));
	if ((rc = sqlite_simple(b, STMT_BEGIN)) != 0)
		return rc;
	rc = set_state(b, user_code, d, &g);
	if (rc == 0 && d->approve) {
		/* redirect_uri, challenge and nonce stay "" */
		g.code.account_id = d->account_id;
		g.code.issued_at = d->now;
		g.code.auth_time = d->auth_time;
		g.code.amr = d->amr;
		rc = sqlite_code_insert_in(b, g.hash, &g.code, ev);
	}
	return sqlite_finish(b, rc);
}
