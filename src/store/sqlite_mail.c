/* SQLite: the mail queue (core/mailer.c). */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "store/sqlite_stmt.h"

static void
read_id(sqlite3_stmt *st, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(st, 0);
}

int
sqlite_mail_add(struct store_backend *b, const char *recipient,
    const char *message, int64_t now, int64_t *id)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_MAIL_ADD, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return sqlite_row(db, st, read_id, id);
}

static void
read_mail(sqlite3_stmt *st, struct mail_row *out)
{
	const unsigned char *msg = sqlite3_column_text(st, 2);

	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	sqlite_copy_text(out->recipient, sizeof(out->recipient), st, 1);
	out->message = xstrndup(msg == NULL ? "" : (const char *)msg,
	    (size_t)sqlite3_column_bytes(st, 2));
	out->created_at = sqlite3_column_int64(st, 3);
	out->attempts = sqlite3_column_int64(st, 4);
	sqlite_copy_text(out->last_error, sizeof(out->last_error), st, 5);
}

int
sqlite_mail_claim(struct store_backend *b, int64_t now, int64_t lease_until,
    struct mail_row *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_MAIL_CLAIM, &db);
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, lease_until);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return sqlite_end(st, ERR_NOTFOUND);
	if (rc != SQLITE_ROW)
		return sqlite_end(st, sqlite_err(db, rc));
	read_mail(st, out);
	/* RETURNING commits when the statement is done: a claim that did
	 * not commit is no claim */
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return sqlite_end(st, 0);
	free(out->message);
	out->message = NULL;
	return sqlite_end(st, sqlite_err(db, rc));
}

int
sqlite_mail_delete(struct store_backend *b, int64_t id)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_MAIL_DELETE, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, id);
	return sqlite_run_one(db, st);
}

int
sqlite_mail_retry(struct store_backend *b, int64_t id, int64_t attempts,
    int64_t next_at, const char *error)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_MAIL_RETRY, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, attempts);
	sqlite3_bind_int64(st, 3, next_at);
	sqlite3_bind_text(st, 4, error, (int)strnlen(error,
	    MAIL_ERROR_MAX_BYTES - 1), SQLITE_STATIC);
	return sqlite_run_one(db, st);
}
