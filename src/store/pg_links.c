/* PostgreSQL: what makes an account recoverable, as sqlite_links.c. */
#include "base/err.h"
#include "store/pg_stmt.h"

/* No session has this hash: "keep none". */
static const unsigned char no_session[SECURE_HASH_BYTES];

static void
read_session(const PGresult *res, int row, void *p)
{
	struct session_row *out = p;

	out->account_id = pg_int(res, row, 0);
	out->created_at = pg_int(res, row, 1);
	out->last_seen = pg_int(res, row, 2);
	pg_copy_bytes(out->hash, SECURE_HASH_BYTES, res, row, 3);
	pg_copy_text(out->address, sizeof(out->address), res, row, 4);
	pg_copy_text(out->user_agent, sizeof(out->user_agent), res, row, 5);
}

int
pg_session_list(struct store_backend *b, int64_t account_id, size_t max,
    struct session_row **rows, size_t *n)
{
	struct pg_params p = { 0 };
	void *v;
	int rc;

	pgp_int(&p, account_id);
	pgp_int(&p, (int64_t)max);
	rc = pg_rows(b, STMT_SESSION_LIST, &p, read_session, sizeof(**rows),
	    &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}

int
pg_session_end(struct store_backend *b, int64_t account_id,
    const unsigned char *hash, const struct event_new *ev)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_int(&p, account_id);
	return pg_run_event(b, STMT_SESSION_END, &p, ev, true);
}

static void
bind_others(struct pg_params *p, int64_t account_id,
    const unsigned char *keep)
{
	pgp_int(p, account_id);
	pgp_hash(p, keep != NULL ? keep : no_session);
}

/* The event only when a session ended: none ended is no change. */
int
pg_session_end_others(struct store_backend *b, int64_t account_id,
    const unsigned char *keep, const struct event_new *ev)
{
	struct pg_params p = { 0 };

	bind_others(&p, account_id, keep);
	return pg_run_event(b, STMT_SESSION_END_OTHERS, &p, ev, false);
}

int
pg_account_verify(struct store_backend *b, int64_t account_id,
    const char *email)
{
	struct pg_params p = { 0 };

	pgp_int(&p, account_id);
	pgp_text(&p, email);
	return pg_run_one(b, STMT_ACCOUNT_VERIFY, &p);
}

/* Runs `id` (account id, text) on c; ERR_NOTFOUND when it changed no
 * row. */
static int
run_one_on(struct pg_conn *c, enum stmt_id id, int64_t account_id,
    const char *text)
{
	struct pg_params p = { 0 };
	int changes = 0, rc;

	pgp_int(&p, account_id);
	pgp_text(&p, text);
	rc = pg_run_on(c, id, &p, &changes);
	return rc == 0 && changes == 0 ? ERR_NOTFOUND : rc;
}

static int
clear_links_on(struct pg_conn *c, int64_t account_id, int purpose)
{
	struct pg_params p = { 0 };

	pgp_int(&p, account_id);
	pgp_int(&p, purpose);
	return pg_run_on(c, STMT_LINK_CLEAR, &p, NULL);
}

int
pg_account_set_email(struct store_backend *b, int64_t account_id,
    const char *email, const struct event_new *ev)
{
	struct pg_params p = { 0 };
	struct pg_conn *c;
	int64_t same = 0;
	int rc = pg_begin(b, &c);

	if (c == NULL)
		return rc;
	pgp_int(&p, account_id);
	pgp_text(&p, email);
	/* the address it has already is no change to record */
	if (rc == 0 && ev != NULL)
		rc = pg_id_on(c, STMT_ACCOUNT_EMAIL_SAME, &p, &same);
	if (rc == 0)
		rc = run_one_on(c, STMT_ACCOUNT_SET_EMAIL, account_id, email);
	if (rc == 0)
		rc = clear_links_on(c, account_id, STORE_LINK_VERIFY);
	if (rc == 0 && same == 0)
		rc = pg_event_put(c, ev);
	return pg_finish(b, c, rc);
}

int
pg_account_set_password(struct store_backend *b, int64_t account_id,
    const char *password_hash, const unsigned char *keep,
    const struct event_new *ev)
{
	struct pg_params others = { 0 };
	struct pg_conn *c;
	int rc = pg_begin(b, &c);

	if (c == NULL)
		return rc;
	if (rc == 0)
		rc = run_one_on(c, STMT_ACCOUNT_SET_PASSWORD, account_id,
		    password_hash);
	bind_others(&others, account_id, keep);
	if (rc == 0)
		rc = pg_run_on(c, STMT_SESSION_END_OTHERS, &others, NULL);
	if (rc == 0)
		rc = clear_links_on(c, account_id, STORE_LINK_RESET);
	if (rc == 0)
		rc = pg_event_put(c, ev);
	return pg_finish(b, c, rc);
}

int
pg_link_insert(struct store_backend *b, const unsigned char *hash,
    const struct link_row *row)
{
	struct pg_params p = { 0 };
	struct pg_conn *c;
	int rc = pg_begin(b, &c);

	if (c == NULL)
		return rc;
	if (rc == 0)
		rc = clear_links_on(c, row->account_id, row->purpose);
	pgp_hash(&p, hash);
	pgp_int(&p, row->account_id);
	pgp_int(&p, row->purpose);
	pgp_text(&p, row->email);
	pgp_int(&p, row->expires_at);
	if (rc == 0)
		rc = pg_run_on(c, STMT_LINK_INSERT, &p, NULL);
	return pg_finish(b, c, rc);
}

static void
read_link(const PGresult *res, int row, void *p)
{
	struct link_row *out = p;

	out->account_id = pg_int(res, row, 0);
	out->purpose = (int)pg_int(res, row, 1);
	pg_copy_text(out->email, sizeof(out->email), res, row, 2);
	out->expires_at = pg_int(res, row, 3);
}

static int
link_row(struct store_backend *b, enum stmt_id id, const unsigned char *hash,
    int purpose, struct link_row *out)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_int(&p, purpose);
	return pg_row(b, id, &p, read_link, out);
}

int
pg_link_get(struct store_backend *b, const unsigned char *hash, int purpose,
    struct link_row *out)
{
	return link_row(b, STMT_LINK_GET, hash, purpose, out);
}

int
pg_link_take(struct store_backend *b, const unsigned char *hash,
    int purpose, struct link_row *out)
{
	return link_row(b, STMT_LINK_TAKE, hash, purpose, out);
}
