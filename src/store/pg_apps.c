/* PostgreSQL: applications. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store/pg_stmt.h"

/* The settable text fields, in the order both INSERT and UPDATE take. */
static void
bind_settable(struct pg_params *p, const struct app_row *row)
{
	pgp_text(p, row->public_name);
	pgp_text(p, row->logo_url);
	pgp_text(p, row->description);
	pgp_text(p, row->redirect_uris);
	pgp_int(p, row->implicit_flow);
	pgp_text(p, row->id_token_alg);
	pgp_text(p, row->post_logout_redirect_uris);
	pgp_int(p, row->device_flow);
	pgp_int(p, row->dpop_bound);
	pgp_int(p, row->require_par);
}

int
pg_app_insert(struct store_backend *b, struct app_row *row, int64_t max,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };

	pgp_int(&p, row->account_id);
	pgp_text(&p, row->api_key);
	pgp_text(&p, row->name);
	bind_settable(&p, row);
	pgp_int(&p, row->created_at);
	pgp_int(&p, max);
	/* a registration's secret comes with its app (core/registration.h) */
	pgp_hash_or_null(&p, row->has_secret ? row->secret_hash : NULL);
	pgp_int(&p, row->has_secret ? row->secret_created_at : 0);
	pgp_int(&p, row->secret_id);
	return pg_insert_capped(b, row->account_id, STMT_APP_INSERT, &p,
	    &row->id, ev, true);
}

static void
read_app(const PGresult *res, int row, void *p)
{
	struct app_row *out = p;

	out->id = pg_int(res, row, 0);
	out->account_id = pg_int(res, row, 1);
	pg_copy_text(out->api_key, sizeof(out->api_key), res, row, 2);
	pg_copy_text(out->name, sizeof(out->name), res, row, 3);
	pg_copy_text(out->public_name, sizeof(out->public_name), res, row, 4);
	pg_copy_text(out->logo_url, sizeof(out->logo_url), res, row, 5);
	pg_copy_text(out->description, sizeof(out->description), res, row,
	    6);
	pg_copy_text(out->redirect_uris, sizeof(out->redirect_uris), res,
	    row, 7);
	out->implicit_flow = pg_bool(res, row, 8);
	out->has_secret = pg_copy_bytes(out->secret_hash, SECURE_HASH_BYTES,
	    res, row, 9);
	if (!out->has_secret)
		memset(out->secret_hash, 0, SECURE_HASH_BYTES);
	out->created_at = pg_int(res, row, 10);
	out->secret_created_at = pg_int(res, row, 11);
	out->owner_disabled = pg_bool(res, row, 12);
	pg_copy_text(out->id_token_alg, sizeof(out->id_token_alg), res, row,
	    13);
	pg_copy_text(out->post_logout_redirect_uris,
	    sizeof(out->post_logout_redirect_uris), res, row, 14);
	out->device_flow = pg_bool(res, row, 15);
	out->dpop_bound = pg_bool(res, row, 16);
	out->require_par = pg_bool(res, row, 17);
	out->secret_id = pg_int(res, row, 18);
	out->secret_used_at = pg_int(res, row, 19);
	out->has_old_secret = pg_copy_bytes(out->old_secret_hash,
	    SECURE_HASH_BYTES, res, row, 20);
	if (!out->has_old_secret)
		memset(out->old_secret_hash, 0, SECURE_HASH_BYTES);
	out->old_secret_id = pg_int(res, row, 21);
	out->old_secret_created_at = pg_int(res, row, 22);
	out->old_secret_used_at = pg_int(res, row, 23);
	out->old_secret_expires_at = pg_int(res, row, 24);
}

/* Parameters $1 api_key, $2 owner (0 = any). */
static void
bind_key_owner(struct pg_params *p, const char *api_key, int64_t account_id)
{
	pgp_text(p, api_key);
	pgp_int(p, account_id);
}

int
pg_app_get(struct store_backend *b, int64_t account_id, const char *api_key,
    struct app_row *out)
{
	struct pg_params p = { 0 };

	bind_key_owner(&p, api_key, account_id);
	return pg_row(b, STMT_APP_GET, &p, read_app, out);
}

int
pg_app_list(struct store_backend *b, int64_t account_id,
    const struct store_page *page, struct app_row **rows, size_t *n)
{
	struct pg_params p = { 0 };
	void *v;
	int rc;

	pgp_int(&p, account_id);
	pgp_int(&p, page->after);
	pgp_int(&p, (int64_t)page->max);
	rc = pg_rows(b, STMT_APP_LIST, &p, read_app, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}

int
pg_app_update(struct store_backend *b, const struct app_row *row,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };

	bind_settable(&p, row);
	pgp_int(&p, row->id);
	return pg_run_event(b, STMT_APP_UPDATE, &p, ev, true);
}

int
pg_app_delete(struct store_backend *b, int64_t account_id,
    const char *api_key, const struct event_new *ev)
{
	struct pg_params p = { 0 };

	bind_key_owner(&p, api_key, account_id);
	return pg_run_event(b, STMT_APP_DELETE, &p, ev, true);
}

int
pg_app_set_secret(struct store_backend *b, int64_t account_id,
    const char *api_key, const unsigned char *hash, int64_t now,
    int64_t keep_s, const struct event_new *ev)
{
	struct pg_params p = { 0 };

	bind_key_owner(&p, api_key, account_id);
	pgp_hash(&p, hash);
	pgp_int(&p, now);
	pgp_int(&p, keep_s);
	return pg_run_event(b, STMT_APP_SET_SECRET, &p, ev, true);
}

int
pg_app_revoke_old_secret(struct store_backend *b, int64_t account_id,
    const char *api_key, int64_t secret_id, int64_t now,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };

	bind_key_owner(&p, api_key, account_id);
	pgp_int(&p, secret_id);
	pgp_int(&p, now);
	return pg_run_event(b, STMT_APP_REVOKE_OLD_SECRET, &p, ev, true);
}

int
pg_app_secret_used(struct store_backend *b, int64_t app_id,
    int64_t secret_id, int64_t at)
{
	struct pg_params p = { 0 };

	pgp_int(&p, app_id);
	pgp_int(&p, secret_id);
	pgp_int(&p, at);
	return pg_run(b, STMT_APP_SECRET_USED, &p, NULL);
}

int
pg_app_reuse_notice(struct store_backend *b, int64_t app_id, int64_t now,
    int64_t gap_s)
{
	struct pg_params p = { 0 };
	int changes = 0, rc;

	pgp_int(&p, app_id);
	pgp_int(&p, now);
	pgp_int(&p, gap_s);
	rc = pg_run(b, STMT_APP_REUSE_NOTICE, &p, &changes);
	return rc == 0 && changes == 0 ? ERR_CONFLICT : rc;
}

int
pg_reveal_insert(struct store_backend *b, const unsigned char *hash,
    int64_t expires_at)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_int(&p, expires_at);
	return pg_run(b, STMT_REVEAL_INSERT, &p, NULL);
}

int
pg_reveal_take(struct store_backend *b, const unsigned char *hash,
    int64_t *expires_at)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	return pg_row(b, STMT_REVEAL_TAKE, &p, pg_read_id, expires_at);
}

/* As sqlite_cimd_app_put(). */
int
pg_cimd_app_put(struct store_backend *b, const struct app_row *row,
    int64_t now)
{
	struct pg_params p = { 0 }, q = { 0 };
	int rc, changes = 0;

	pgp_int(&p, now);
	if ((rc = pg_run(b, STMT_CIMD_OWNER, &p, NULL)) != 0)
		return rc;
	pgp_text(&q, row->api_key);
	pgp_text(&q, row->public_name);
	pgp_text(&q, row->logo_url);
	pgp_text(&q, row->redirect_uris);
	pgp_int(&q, now);
	if ((rc = pg_run(b, STMT_CIMD_PUT, &q, &changes)) != 0)
		return rc;
	return changes == 1 ? 0 : ERR_EXISTS;
}
