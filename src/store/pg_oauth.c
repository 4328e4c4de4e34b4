/* PostgreSQL: grants, authorization codes, tokens and the issuing
 * transaction.
 *
 * Every compare-and-set is an UPDATE ... WHERE <old state>. Under READ
 * COMMITTED a second UPDATE of the same row waits for the first
 * transaction and then re-checks its WHERE against the committed row, so
 * of two nodes racing for one code or one refresh token exactly one sees
 * its row change. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "store/pg_stmt.h"

static int
tx_hash(struct pg_conn *c, enum stmt_id id, const unsigned char *hash,
    int *changes)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	return pg_run_on(c, id, &p, changes);
}

/* Runs an INSERT ... RETURNING id inside the transaction on c: a write
 * that returns no row is the store's failure, not a missing row. */
static int
tx_id(struct pg_conn *c, enum stmt_id id, const struct pg_params *p,
    int64_t *out)
{
	int rc = pg_id_on(c, id, p, out);

	return rc == ERR_NOTFOUND ? ERR_STORE : rc;
}

static void
bind_upsert(struct pg_params *p, int64_t account_id, int64_t app_id,
    unsigned scope, int64_t now)
{
	pgp_int(p, account_id);
	pgp_int(p, app_id);
	pgp_int(p, scope);
	pgp_int(p, now);
}

int
pg_grant_upsert(struct store_backend *b, int64_t account_id, int64_t app_id,
    unsigned scope, int64_t now, int64_t *grant_id)
{
	struct pg_params p = { 0 };

	bind_upsert(&p, account_id, app_id, scope, now);
	return pg_row(b, STMT_GRANT_UPSERT, &p, pg_read_id, grant_id);
}

struct grant_pair {
	int64_t		 id;
	unsigned	 scope;
};

static void
read_pair(const PGresult *res, int row, void *out)
{
	struct grant_pair *g = out;

	g->id = pg_int(res, row, 0);
	g->scope = (unsigned)pg_int(res, row, 1);
}

static void
bind_account_app(struct pg_params *p, int64_t account_id, int64_t app_id)
{
	pgp_int(p, account_id);
	pgp_int(p, app_id);
}

int
pg_grant_get(struct store_backend *b, int64_t account_id, int64_t app_id,
    int64_t *grant_id, unsigned *scope)
{
	struct pg_params p = { 0 };
	struct grant_pair g;
	int rc;

	bind_account_app(&p, account_id, app_id);
	rc = pg_row(b, STMT_GRANT_GET, &p, read_pair, &g);
	if (rc == 0) {
		*grant_id = g.id;
		*scope = g.scope;
	}
	return rc;
}

int
pg_grant_delete(struct store_backend *b, int64_t account_id, int64_t app_id,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };

	bind_account_app(&p, account_id, app_id);
	return pg_run_event(b, STMT_GRANT_DELETE, &p, ev, true);
}

static void
read_grant(const PGresult *res, int row, void *out)
{
	struct grant_row *g = out;

	g->id = pg_int(res, row, 0);
	g->app_id = pg_int(res, row, 1);
	g->scope = (unsigned)pg_int(res, row, 2);
	g->created_at = pg_int(res, row, 3);
	pg_copy_text(g->api_key, sizeof(g->api_key), res, row, 4);
	pg_copy_text(g->public_name, sizeof(g->public_name), res, row, 5);
}

int
pg_grant_list(struct store_backend *b, int64_t account_id,
    const struct store_page *page, struct grant_row **rows, size_t *n)
{
	struct pg_params p = { 0 };
	void *v;
	int rc;

	pgp_int(&p, account_id);
	pgp_int(&p, page->after);
	pgp_int(&p, (int64_t)page->max);
	rc = pg_rows(b, STMT_GRANT_LIST, &p, read_grant, sizeof(**rows), &v,
	    n);
	if (rc == 0)
		*rows = v;
	return rc;
}

static void
bind_code(struct pg_params *p, const unsigned char *hash,
    const struct code_row *row)
{
	pgp_hash(p, hash);
	pgp_int(p, row->grant_id);
	pgp_text(p, row->redirect_uri);
	pgp_int(p, row->scope);
	pgp_text(p, row->challenge);
	pgp_int(p, row->expires_at);
	pgp_text(p, row->nonce);
	pgp_int(p, row->auth_time);
	pgp_int(p, row->amr);
	pgp_hash_or_null(p, row->bound ? row->jkt : NULL);
}

/* The consent's scope before the upsert, on c: *had 0 without one. */
static int
scope_had(struct pg_conn *c, int64_t account_id, int64_t app_id,
    unsigned *had)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	bind_account_app(&p, account_id, app_id);
	if ((rc = pg_exec(c, STMT_GRANT_GET, &p, &res)) != 0)
		return rc;
	*had = PQntuples(res) == 1 ? (unsigned)pg_int(res, 0, 1) : 0;
	PQclear(res);
	return 0;
}

/* The consent of account_id to app_id, widened by scope, on c: the
 * grant_given event goes with one that is new or wider than the one
 * stored (a scope is never 0). The account's row locked first, so that
 * of two first consents racing, the second reads the first's grant and
 * records none. */
static int
consent_on(struct pg_conn *c, int64_t account_id, int64_t app_id,
    unsigned scope, int64_t now, int64_t *grant_id,
    const struct event_new *ev)
{
	struct pg_params g = { 0 }, owner = { 0 };
	unsigned had = 0;
	int rc;

	pgp_int(&owner, account_id);
	if (ev != NULL &&
	    ((rc = pg_run_on(c, STMT_ACCOUNT_LOCK, &owner, NULL)) != 0 ||
	    (rc = scope_had(c, account_id, app_id, &had)) != 0))
		return rc;
	bind_upsert(&g, account_id, app_id, scope, now);
	if ((rc = tx_id(c, STMT_GRANT_UPSERT, &g, grant_id)) != 0)
		return rc;
	if ((had | scope) != had)
		rc = pg_event_put_as(c, ev, 0, app_id);
	return rc;
}

int
pg_code_insert_on(struct pg_conn *c, const unsigned char *hash,
    struct code_row *row, const struct event_new *ev)
{
	struct pg_params p = { 0 };
	int rc = consent_on(c, row->account_id, row->app_id, row->scope,
	    row->issued_at, &row->grant_id, ev);

	if (rc != 0)
		return rc;
	bind_code(&p, hash, row);
	return pg_run_on(c, STMT_CODE_INSERT, &p, NULL);
}

int
pg_code_insert(struct store_backend *b, const unsigned char *hash,
    struct code_row *row, const struct event_new *ev)
{
	struct pg_params p = { 0 };
	struct pg_conn *c;
	int rc;

	if (row->grant_id != 0) {
		bind_code(&p, hash, row);
		return pg_run(b, STMT_CODE_INSERT, &p, NULL);
	}
	if ((rc = pg_begin(b, &c)) != 0 && c == NULL)
		return rc;
	if (rc == 0)
		rc = pg_code_insert_on(c, hash, row, ev);
	if ((rc = pg_finish(b, c, rc)) != 0)
		row->grant_id = 0;
	return rc;
}

static void
read_code(const PGresult *res, int row, void *out)
{
	struct code_row *c = out;

	c->grant_id = pg_int(res, row, 0);
	c->account_id = pg_int(res, row, 1);
	c->app_id = pg_int(res, row, 2);
	pg_copy_text(c->redirect_uri, sizeof(c->redirect_uri), res, row, 3);
	c->scope = (unsigned)pg_int(res, row, 4);
	pg_copy_text(c->challenge, sizeof(c->challenge), res, row, 5);
	c->expires_at = pg_int(res, row, 6);
	c->used = pg_bool(res, row, 7);
	c->family_id = pg_int(res, row, 8);
	pg_copy_text(c->nonce, sizeof(c->nonce), res, row, 9);
	c->auth_time = pg_int(res, row, 10);
	c->amr = (unsigned)pg_int(res, row, 11);
	pg_read_jkt(res, row, 12, &c->bound, c->jkt);
}

int
pg_code_get(struct store_backend *b, const unsigned char *hash,
    struct code_row *out)
{
	return pg_row_by_hash(b, STMT_CODE_GET, hash, read_code, out);
}

int
pg_code_take(struct store_backend *b, const unsigned char *hash,
    int64_t app_id, struct code_row *out)
{
	int rc, changes = 0;
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_int(&p, app_id);
	if ((rc = pg_run(b, STMT_CODE_USE, &p, &changes)) != 0)
		return rc;
	rc = pg_code_get(b, hash, out);
	if (rc != 0)
		return rc;
	return changes == 0 ? ERR_CONFLICT : 0;
}

/* The parent's condition: unused (rotation) or with unused children that
 * go (retry). ERR_CONFLICT when it does not hold. */
static int
claim_parent(struct pg_conn *c, const struct issue *is)
{
	struct pg_params p = { 0 };
	int rc, access = 0, refresh = 0;

	if (is->retry) {
		rc = tx_hash(c, STMT_ACCESS_DROP_CHILD, is->parent_hash,
		    &access);
		if (rc == 0)
			rc = tx_hash(c, STMT_REFRESH_DROP_CHILD,
			    is->parent_hash, &refresh);
		return rc != 0 ? rc : access == 1 && refresh == 1 ? 0 :
		    ERR_CONFLICT;
	}
	pgp_int(&p, is->now);
	pgp_hash(&p, is->parent_hash);
	rc = pg_run_on(c, STMT_REFRESH_USE, &p, &refresh);
	return rc != 0 ? rc : refresh == 1 ? 0 : ERR_CONFLICT;
}

static int
new_family(struct pg_conn *c, struct issue *is)
{
	struct pg_params p = { 0 };

	pgp_int(&p, is->grant_id);
	pgp_int(&p, is->family_scope);
	pgp_int(&p, is->now);
	pgp_int(&p, is->auth_time);
	pgp_int(&p, is->amr);
	return tx_id(c, STMT_FAMILY_INSERT, &p, &is->family_id);
}

static int
insert_token(struct pg_conn *c, enum stmt_id id, const unsigned char *hash,
    bool bound, const struct issue *is)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_int(&p, is->family_id);
	pgp_hash_or_null(&p, is->parent_hash);
	pgp_int(&p, is->scope);
	pgp_int(&p, is->now);
	pgp_hash_or_null(&p, bound ? is->jkt : NULL);
	return pg_run_on(c, id, &p, NULL);
}

/* Uses the code up and records the family it started; ERR_CONFLICT when
 * it was used meanwhile (the whole issue then rolls back). */
static int
take_code(struct pg_conn *c, const struct issue *is)
{
	struct pg_params p = { 0 };
	int rc, changes = 0;

	pgp_int(&p, is->family_id);
	pgp_hash(&p, is->code_hash);
	pgp_int(&p, is->app_id);
	rc = pg_run_on(c, STMT_CODE_FAMILY, &p, &changes);
	return rc != 0 ? rc : changes == 1 ? 0 : ERR_CONFLICT;
}

bool
pg_plain_rotation(const struct issue *is)
{
	return is->parent_hash != NULL && !is->retry && is->grant_id != 0 &&
	    is->family_id != 0 && is->code_hash == NULL && is->with_refresh;
}

static void
rotation_params(const struct issue *is, struct pg_params *p)
{
	pgp_int(p, is->now);
	pgp_hash(p, is->parent_hash);
	pgp_hash(p, is->access_hash);
	pgp_hash(p, is->refresh_hash);
	pgp_int(p, is->family_id);
	pgp_int(p, is->scope);
	pgp_hash_or_null(p, is->access_bound ? is->jkt : NULL);
	pgp_hash_or_null(p, is->refresh_bound ? is->jkt : NULL);
}

static int
rotate(struct pg_conn *c, const struct issue *is)
{
	struct pg_params p = { 0 };
	int rc, claimed = 0;

	rotation_params(is, &p);
	rc = pg_run_on(c, STMT_REFRESH_ROTATE, &p, &claimed);
	return rc != 0 ? rc : claimed == 1 ? 0 : ERR_CONFLICT;
}

struct rotations {
	struct issue	**is;
	int		 *rcs;
};

static void
rotation_fill(void *arg, size_t i, struct pg_params *p)
{
	rotation_params(((struct rotations *)arg)->is[i], p);
}

static void
rotation_result(void *arg, size_t i, const PGresult *res)
{
	((struct rotations *)arg)->rcs[i] = PQntuples(res) == 1 ? 0 :
	    ERR_CONFLICT;
}

int
pg_rotate_many(struct pg_conn *c, struct issue **is, size_t n, int *rcs)
{
	struct rotations r = { is, rcs };

	for (size_t i = 0; i < n; i++)
		rcs[i] = ERR_STORE;
	return pg_pipeline(c, STMT_REFRESH_ROTATE, n, rotation_fill,
	    rotation_result, &r);
}

/* The writes of one issue, inside the caller's transaction on c. */
int
pg_issue_in(struct pg_conn *c, struct issue *is)
{
	int rc = 0;

	if (pg_plain_rotation(is))
		return rotate(c, is);
	if (is->grant_id == 0)
		rc = consent_on(c, is->account_id, is->app_id, is->scope,
		    is->now, &is->grant_id, is->given);
	if (rc == 0 && is->parent_hash != NULL)
		rc = claim_parent(c, is);
	if (rc == 0 && is->family_id == 0)
		rc = new_family(c, is);
	if (rc == 0)
		rc = insert_token(c, STMT_ACCESS_INSERT, is->access_hash,
		    is->access_bound, is);
	if (rc == 0 && is->with_refresh)
		rc = insert_token(c, STMT_REFRESH_INSERT, is->refresh_hash,
		    is->refresh_bound, is);
	if (rc == 0 && is->code_hash != NULL)
		rc = take_code(c, is);
	return rc;
}

int
pg_issue(struct store_backend *b, struct issue *is)
{
	struct pg_conn *c;
	int64_t grant_in = is->grant_id, family_in = is->family_id;
	int rc = pg_begin(b, &c);

	if (c == NULL)
		return rc;
	if (rc == 0)
		rc = pg_issue_in(c, is);
	if ((rc = pg_finish(b, c, rc)) != 0) {
		is->grant_id = grant_in;
		is->family_id = family_in;
	}
	return rc;
}

int
pg_issue_many(struct store_backend *b, struct issue *is, int *rcs, size_t n)
{
	struct pg_conn *c;
	int rc = pg_begin(b, &c);

	if (c == NULL)
		return rc;
	/* as sqlite_issue_many(): a savepoint per item */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int64_t grant_in = is[i].grant_id;
		int64_t family_in = is[i].family_id;

		if ((rc = pg_run_on(c, STMT_SAVEPOINT, NULL, NULL)) != 0)
			break;
		if ((rcs[i] = pg_issue_in(c, &is[i])) != 0) {
			is[i].grant_id = grant_in;
			is[i].family_id = family_in;
			rc = pg_run_on(c, STMT_ROLLBACK_TO, NULL, NULL);
		}
		if (rc == 0)
			rc = pg_run_on(c, STMT_RELEASE, NULL, NULL);
	}
	return pg_finish(b, c, rc);
}

int
pg_family_revoke(struct store_backend *b, int64_t family_id,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };

	pgp_int(&p, family_id);
	return pg_run_event(b, STMT_FAMILY_REVOKE, &p, ev, false);
}

static void
read_token(const PGresult *res, int row, void *out)
{
	struct token_row *t = out;

	t->family_id = pg_int(res, row, 0);
	t->grant_id = pg_int(res, row, 1);
	t->account_id = pg_int(res, row, 2);
	t->app_id = pg_int(res, row, 3);
	pg_copy_text(t->api_key, sizeof(t->api_key), res, row, 4);
	t->scope = (unsigned)pg_int(res, row, 5);
	t->family_scope = (unsigned)pg_int(res, row, 6);
	t->iat = pg_int(res, row, 7);
	t->last_used = pg_int(res, row, 8);
	t->revoked = pg_bool(res, row, 9);
}

/* The DPoP binding in column `col`: NULL for a Bearer token. */
static void
read_jkt(const PGresult *res, int row, int col, struct token_row *t)
{
	pg_read_jkt(res, row, col, &t->bound, t->jkt);
}

static void
read_access(const PGresult *res, int row, void *out)
{
	read_token(res, row, out);
	read_jkt(res, row, 10, out);
}

int
pg_access_get(struct store_backend *b, const unsigned char *hash,
    struct token_row *out)
{
	return pg_row_by_hash(b, STMT_ACCESS_GET, hash, read_access, out);
}

/* A refresh token's row also says its family's log-in (§14). */
static void
read_refresh(const PGresult *res, int row, void *out)
{
	struct token_row *t = out;

	read_token(res, row, t);
	t->auth_time = pg_int(res, row, 10);
	t->amr = (unsigned)pg_int(res, row, 11);
	read_jkt(res, row, 12, t);
}

int
pg_refresh_get(struct store_backend *b, const unsigned char *hash,
    struct token_row *out)
{
	return pg_row_by_hash(b, STMT_REFRESH_GET, hash, read_refresh, out);
}

struct parents {
	const unsigned char	**hashes;
	struct token_row	**rows;
	int			 *rcs;
};

static void
parent_fill(void *arg, size_t i, struct pg_params *p)
{
	pgp_hash(p, ((struct parents *)arg)->hashes[i]);
}

static void
parent_result(void *arg, size_t i, const PGresult *res)
{
	struct parents *r = arg;

	if (PQntuples(res) == 0)
		return;
	read_refresh(res, 0, r->rows[i]);
	r->rcs[i] = 0;
}

int
pg_refresh_get_many(struct pg_conn *c, const unsigned char **hashes,
    size_t n, struct token_row **rows, int *rcs)
{
	struct parents r = { hashes, rows, rcs };

	for (size_t i = 0; i < n; i++)
		rcs[i] = ERR_NOTFOUND;
	return pg_pipeline(c, STMT_REFRESH_GET, n, parent_fill,
	    parent_result, &r);
}

int
pg_access_touch(struct store_backend *b, const unsigned char *hash,
    int64_t now)
{
	return pg_run_hash(b, STMT_ACCESS_TOUCH, hash, now);
}

static void
read_live(const PGresult *res, int row, void *out)
{
	struct live_token *t = out;

	read_token(res, row, &t->row);
	pg_copy_bytes(t->hash, sizeof(t->hash), res, row, 10);
	read_jkt(res, row, 11, &t->row);
}

int
pg_access_page(struct store_backend *b, const unsigned char *after,
    int64_t since, size_t max, struct live_token **rows, size_t *n)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, after);
	pgp_int(&p, since);
	pgp_int(&p, (int64_t)max);
	return pg_rows(b, STMT_ACCESS_PAGE, &p, read_live, sizeof(**rows),
	    (void **)rows, n);
}

int
pg_revision(struct store_backend *b, int64_t *n)
{
	return pg_row(b, STMT_REVISION, NULL, pg_read_id, n);
}

int
pg_access_revoke(struct store_backend *b, const unsigned char *hash)
{
	return pg_run_hash(b, STMT_ACCESS_REVOKE, hash, -1);
}
