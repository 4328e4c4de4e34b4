/* PostgreSQL: accounts, browser sessions, personal access tokens. */
#include "base/err.h"
#include "store/pg_stmt.h"

int
pg_account_insert(struct store_backend *b, const char *email,
    const char *password_hash, int64_t now, int64_t *id,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };
	struct pg_conn *c;
	int rc;

	pgp_text(&p, email);
	pgp_text(&p, password_hash);
	pgp_int(&p, now);
	if (ev == NULL)
		return pg_row(b, STMT_ACCOUNT_INSERT, &p, pg_read_id, id);
	if ((rc = pg_begin(b, &c)) != 0 && c == NULL)
		return rc;
	if (rc == 0)
		rc = pg_id_on(c, STMT_ACCOUNT_INSERT, &p, id);
	if (rc == 0)
		rc = pg_event_put_as(c, ev, *id, 0);
	return pg_finish(b, c, rc);
}

void
pg_read_account(const PGresult *res, int row, void *p)
{
	struct account *out = p;

	out->id = pg_int(res, row, 0);
	pg_copy_text(out->email, sizeof(out->email), res, row, 1);
	pg_copy_text(out->password_hash, sizeof(out->password_hash), res,
	    row, 2);
	out->created_at = pg_int(res, row, 3);
	out->email_verified = pg_bool(res, row, 4);
	out->disabled_at = pg_int(res, row, 5);
}

int
pg_account_by_email(struct store_backend *b, const char *email,
    struct account *out)
{
	struct pg_params p = { 0 };

	pgp_text(&p, email);
	return pg_row(b, STMT_ACCOUNT_BY_EMAIL, &p, pg_read_account, out);
}

int
pg_account_by_id(struct store_backend *b, int64_t id, struct account *out)
{
	struct pg_params p = { 0 };

	pgp_int(&p, id);
	return pg_row(b, STMT_ACCOUNT_BY_ID, &p, pg_read_account, out);
}

int
pg_session_insert(struct store_backend *b, const unsigned char *hash,
    int64_t account_id, int64_t now, const struct session_origin *from,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_int(&p, account_id);
	pgp_int(&p, now);
	pgp_text(&p, from->address);
	pgp_text(&p, from->user_agent);
	pgp_int(&p, from->amr);
	return pg_run_event(b, STMT_SESSION_INSERT, &p, ev, false);
}

static void
read_session(const PGresult *res, int row, void *p)
{
	struct session_row *out = p;

	out->account_id = pg_int(res, row, 0);
	out->created_at = pg_int(res, row, 1);
	out->last_seen = pg_int(res, row, 2);
	out->auth_time = pg_int(res, row, 3);
	out->amr = (unsigned)pg_int(res, row, 4);
}

int
pg_session_get(struct store_backend *b, const unsigned char *hash,
    struct session_row *out)
{
	return pg_row_by_hash(b, STMT_SESSION_GET, hash, read_session, out);
}

int
pg_session_reauth(struct store_backend *b, const unsigned char *hash,
    int64_t auth_time, unsigned amr)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_int(&p, auth_time);
	pgp_int(&p, amr);
	return pg_run_one(b, STMT_SESSION_REAUTH, &p);
}

int
pg_session_touch(struct store_backend *b, const unsigned char *hash,
    int64_t now)
{
	return pg_run_hash(b, STMT_SESSION_TOUCH, hash, now);
}

int
pg_session_delete(struct store_backend *b, const unsigned char *hash)
{
	return pg_run_hash(b, STMT_SESSION_DELETE, hash, -1);
}

int
pg_session_trim(struct store_backend *b, int64_t account_id,
    const unsigned char *keep, int64_t max)
{
	struct pg_params p = { 0 };

	pgp_int(&p, account_id);
	pgp_hash(&p, keep);
	pgp_int(&p, max);
	return pg_run(b, STMT_SESSION_TRIM, &p, NULL);
}

int
pg_pat_insert(struct store_backend *b, int64_t account_id,
    const unsigned char *hash, int64_t now, int64_t max, int64_t *id,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };

	pgp_int(&p, account_id);
	pgp_hash(&p, hash);
	pgp_int(&p, now);
	pgp_int(&p, max);
	return pg_insert_capped(b, account_id, STMT_PAT_INSERT, &p, id, ev,
	    false);
}

static void
read_pat(const PGresult *res, int row, void *p)
{
	struct pat_row *out = p;

	out->id = pg_int(res, row, 0);
	out->account_id = pg_int(res, row, 1);
	out->created_at = pg_int(res, row, 2);
	out->last_used_at = pg_int(res, row, 3);
}

int
pg_pat_by_hash(struct store_backend *b, const unsigned char *hash,
    struct pat_row *out)
{
	return pg_row_by_hash(b, STMT_PAT_BY_HASH, hash, read_pat, out);
}

int
pg_pat_list(struct store_backend *b, int64_t account_id,
    const struct store_page *page, struct pat_row **rows, size_t *n)
{
	struct pg_params p = { 0 };
	void *v;
	int rc;

	pgp_int(&p, account_id);
	pgp_int(&p, page->after);
	pgp_int(&p, (int64_t)page->max);
	rc = pg_rows(b, STMT_PAT_LIST, &p, read_pat, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}

int
pg_pat_delete(struct store_backend *b, int64_t account_id, int64_t id,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };

	pgp_int(&p, id);
	pgp_int(&p, account_id);
	return pg_run_event(b, STMT_PAT_DELETE, &p, ev, true);
}

int
pg_pat_touch(struct store_backend *b, int64_t id, int64_t now)
{
	struct pg_params p = { 0 };

	pgp_int(&p, id);
	pgp_int(&p, now);
	return pg_run(b, STMT_PAT_TOUCH, &p, NULL);
}
