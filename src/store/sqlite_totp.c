/* SQLite: two-step log-in (the totp row of an account, its recovery
 * codes). */
#include <string.h>

#include "base/err.h"
#include "store/sqlite_stmt.h"

static void
read_totp(sqlite3_stmt *st, void *p)
{
	struct totp_row *out = p;

	sqlite_copy_text(out->secret, sizeof(out->secret), st, 0);
	out->enabled_at = sqlite3_column_int64(st, 1);
	out->last_step = sqlite3_column_int64(st, 2);
}

int
sqlite_totp_get(struct store_backend *b, int64_t account_id,
    struct totp_row *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_TOTP_GET, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	return sqlite_row(db, st, read_totp, out);
}

static int
insert_code(struct store_backend *b, int64_t account_id,
    const unsigned char *hash)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_RECOVERY_INSERT, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_blob(st, 2, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	return sqlite_run(db, st, NULL);
}

int
sqlite_totp_insert(struct store_backend *b, int64_t account_id,
    const struct totp_row *row,
    const unsigned char (*hashes)[SECURE_HASH_BYTES], size_t n,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_simple(b, STMT_BEGIN)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_TOTP_INSERT, &db)) == NULL)
		return sqlite_finish(b, ERR_STORE);
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, row->secret, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, row->enabled_at);
	sqlite3_bind_int64(st, 4, row->last_step);
	rc = sqlite_run(db, st, NULL);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = insert_code(b, account_id, hashes[i]);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_finish(b, rc);
}

int
sqlite_totp_step(struct store_backend *b, int64_t account_id, int64_t step)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_TOTP_STEP, &db);
	int changes = 0, rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, step);
	rc = sqlite_run(db, st, &changes);
	return rc == 0 && changes == 0 ? ERR_CONFLICT : rc;
}

int
sqlite_totp_delete(struct store_backend *b, int64_t account_id,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_TOTP_DELETE, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_int64(st, 1, account_id);
	rc = sqlite_run_one(db, st);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

int
sqlite_recovery_list(struct store_backend *b, int64_t account_id,
    unsigned char (*hashes)[SECURE_HASH_BYTES], size_t max, size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_RECOVERY_LIST, &db);
	int rc;

	*n = 0;
	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		if (sqlite3_column_bytes(st, 0) != SECURE_HASH_BYTES)
			continue;
		memcpy(hashes[*n], sqlite3_column_blob(st, 0),
		    SECURE_HASH_BYTES);
		(*n)++;
	}
	return sqlite_end(st, rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 :
	    sqlite_err(db, rc));
}

int
sqlite_recovery_take(struct store_backend *b, int64_t account_id,
    const unsigned char *hash)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_RECOVERY_TAKE, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_blob(st, 2, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	return sqlite_run_one(db, st);
}
