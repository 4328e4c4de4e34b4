/* SQLite: what makes an account recoverable. One-time links mailed to
 * it, its email verified or changed, its password set, the list of its
 * sessions and the ending of some of them. */
#include <string.h>

#include "base/err.h"
#include "store/sqlite_stmt.h"

/* No session has this hash: "keep none". */
static const unsigned char no_session[SECURE_HASH_BYTES];

static void
read_session(sqlite3_stmt *st, void *p)
{
	struct session_row *out = p;

	out->account_id = sqlite3_column_int64(st, 0);
	out->created_at = sqlite3_column_int64(st, 1);
	out->last_seen = sqlite3_column_int64(st, 2);
	if (sqlite3_column_bytes(st, 3) == SECURE_HASH_BYTES)
		memcpy(out->hash, sqlite3_column_blob(st, 3),
		    SECURE_HASH_BYTES);
	sqlite_copy_text(out->address, sizeof(out->address), st, 4);
	sqlite_copy_text(out->user_agent, sizeof(out->user_agent), st, 5);
}

int
sqlite_session_list(struct store_backend *b, int64_t account_id, size_t max,
    struct session_row **rows, size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_SESSION_LIST, &db);
	void *v;
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	rc = sqlite_rows(db, st, read_session, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}

int
sqlite_session_end(struct store_backend *b, int64_t account_id,
    const unsigned char *hash, const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_SESSION_END, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, account_id);
	rc = sqlite_run_one(db, st);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

/* Ends them; *changes gets how many. */
static int
end_others(struct store_backend *b, int64_t account_id,
    const unsigned char *keep, int *changes)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_SESSION_END_OTHERS, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_blob(st, 2, keep != NULL ? keep : no_session,
	    SECURE_HASH_BYTES, SQLITE_STATIC);
	return sqlite_run(db, st, changes);
}

/* The event only when a session ended: none ended is no change. */
int
sqlite_session_end_others(struct store_backend *b, int64_t account_id,
    const unsigned char *keep, const struct event_new *ev)
{
	int changes = 0, rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	rc = end_others(b, account_id, keep, &changes);
	if (rc == 0 && changes > 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

/* Runs `id` with an account id and a text as ?1 and ?2. */
static int
run_id_text(struct store_backend *b, enum stmt_id id, int64_t account_id,
    const char *text, bool one)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, id, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	return one ? sqlite_run_one(db, st) : sqlite_run(db, st, NULL);
}

static int
clear_links(struct store_backend *b, int64_t account_id, int purpose)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_LINK_CLEAR, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int(st, 2, purpose);
	return sqlite_run(db, st, NULL);
}

int
sqlite_account_verify(struct store_backend *b, int64_t account_id,
    const char *email)
{
	return run_id_text(b, STMT_ACCOUNT_VERIFY, account_id, email, true);
}

static void
read_bool(sqlite3_stmt *st, void *out)
{
	*(bool *)out = sqlite3_column_int(st, 0) != 0;
}

/* *same: account_id's address is `email` already */
static int
email_same(struct store_backend *b, int64_t account_id, const char *email,
    bool *same)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_ACCOUNT_EMAIL_SAME, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	return sqlite_row(db, st, read_bool, same);
}

int
sqlite_account_set_email(struct store_backend *b, int64_t account_id,
    const char *email, const struct event_new *ev)
{
	bool same = false;
	int rc;

	if ((rc = sqlite_simple(b, STMT_BEGIN)) != 0)
		return rc;
	/* the address it has already is no change to record */
	if (ev != NULL)
		rc = email_same(b, account_id, email, &same);
	if (rc == 0)
		rc = run_id_text(b, STMT_ACCOUNT_SET_EMAIL, account_id, email,
		    true);
	if (rc == 0)
		rc = clear_links(b, account_id, STORE_LINK_VERIFY);
	if (rc == 0 && !same)
		rc = sqlite_event_put(b, ev);
	return sqlite_finish(b, rc);
}

int
sqlite_account_set_password(struct store_backend *b, int64_t account_id,
    const char *password_hash, const unsigned char *keep,
    const struct event_new *ev)
{
	int rc;

	if ((rc = sqlite_simple(b, STMT_BEGIN)) != 0)
		return rc;
	rc = run_id_text(b, STMT_ACCOUNT_SET_PASSWORD, account_id,
	    password_hash, true);
	if (rc == 0)
		rc = end_others(b, account_id, keep, NULL);
	if (rc == 0)
		rc = clear_links(b, account_id, STORE_LINK_RESET);
	if (rc == 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_finish(b, rc);
}

int
sqlite_link_insert(struct store_backend *b, const unsigned char *hash,
    const struct link_row *row)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite_simple(b, STMT_BEGIN)) != 0)
		return rc;
	rc = clear_links(b, row->account_id, row->purpose);
	if (rc == 0 && (st = sqlite_stmt(b, STMT_LINK_INSERT, &db)) == NULL)
		rc = ERR_STORE;
	if (rc == 0) {
		sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, row->account_id);
		sqlite3_bind_int(st, 3, row->purpose);
		sqlite3_bind_text(st, 4, row->email, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, row->expires_at);
		rc = sqlite_run(db, st, NULL);
	}
	return sqlite_finish(b, rc);
}

static void
read_link(sqlite3_stmt *st, void *p)
{
	struct link_row *out = p;

	out->account_id = sqlite3_column_int64(st, 0);
	out->purpose = sqlite3_column_int(st, 1);
	sqlite_copy_text(out->email, sizeof(out->email), st, 2);
	out->expires_at = sqlite3_column_int64(st, 3);
}

int
sqlite_link_get(struct store_backend *b, const unsigned char *hash,
    int purpose, struct link_row *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_LINK_GET, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, purpose);
	return sqlite_row(db, st, read_link, out);
}

int
sqlite_link_take(struct store_backend *b, const unsigned char *hash,
    int purpose, struct link_row *out)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_LINK_TAKE, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, purpose);
	return sqlite_take_row(db, st, read_link, out);
}
