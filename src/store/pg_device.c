/* PostgreSQL: device grants (RFC 8628), as sqlite_device.c. */
#include <string.h>

#include "base/err.h"
#include "store/pg_stmt.h"

int
pg_device_insert(struct store_backend *b, const unsigned char *hash,
    const struct device_row *row)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_text(&p, row->user_code);
	pgp_int(&p, row->app_id);
	pgp_int(&p, row->scope);
	pgp_int(&p, row->created_at);
	pgp_int(&p, row->expires_at);
	pgp_int(&p, row->interval_s);
	return pg_run(b, STMT_DEVICE_INSERT, &p, NULL);
}

/* user_code, app_id, api_key, then DEVICE_FIELDS (pg_sql.c) */
static void
read_device(const PGresult *res, int row, void *out)
{
	struct device_row *d = out;

	pg_copy_text(d->user_code, sizeof(d->user_code), res, row, 0);
	d->app_id = pg_int(res, row, 1);
	pg_copy_text(d->api_key, sizeof(d->api_key), res, row, 2);
	d->scope = (unsigned)pg_int(res, row, 3);
	d->created_at = pg_int(res, row, 4);
	d->expires_at = pg_int(res, row, 5);
	d->interval_s = pg_int(res, row, 6);
	d->slow_down = pg_bool(res, row, 7);
	d->state = (int)pg_int(res, row, 8);
	d->account_id = pg_int(res, row, 9);
	d->auth_time = pg_int(res, row, 10);
	d->amr = (unsigned)pg_int(res, row, 11);
}

int
pg_device_find(struct store_backend *b, const char *user_code, int64_t now,
    struct device_row *out)
{
	struct pg_params p = { 0 };

	pgp_text(&p, user_code);
	pgp_int(&p, now);
	return pg_row(b, STMT_DEVICE_FIND, &p, read_device, out);
}

int
pg_device_poll(struct store_backend *b, const unsigned char *hash,
    int64_t app_id, int64_t now, int64_t step_s, struct device_row *out)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_int(&p, app_id);
	pgp_int(&p, now);
	pgp_int(&p, step_s);
	return pg_row(b, STMT_DEVICE_POLL, &p, read_device, out);
}

/* The decision's compare-and-set inside the transaction on c: the code
 * to write into *code and *hash, or ERR_NOTFOUND. */
static int
set_state(struct pg_conn *c, const char *user_code,
    const struct device_decision *d, unsigned char *hash,
    struct code_row *code)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pgp_text(&p, user_code);
	pgp_text(&p, d->approve ? "approved" : "denied");
	pgp_int(&p, d->account_id);
	pgp_int(&p, d->auth_time);
	pgp_int(&p, d->amr);
	pgp_int(&p, d->now);
	if ((rc = pg_exec(c, STMT_DEVICE_DECIDE, &p, &res)) != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return ERR_NOTFOUND;
	}
	if (!pg_copy_bytes(hash, SECURE_HASH_BYTES, res, 0, 0))
		rc = ERR_STORE;
	code->app_id = pg_int(res, 0, 1);
	code->scope = (unsigned)pg_int(res, 0, 2);
	code->expires_at = pg_int(res, 0, 3);
	PQclear(res);
	return rc;
}

int
pg_device_decide(struct store_backend *b, const char *user_code,
    const struct device_decision *d, const struct event_new *ev)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct code_row code;
	struct pg_conn *c;
	int rc;

	memset(&code, 0, sizeof(code));
	if ((rc = pg_begin(b, &c)) != 0 && c == NULL)
		return rc;
	if (rc == 0)
		rc = set_state(c, user_code, d, hash, &code);
	if (rc == 0 && d->approve) {
		/* redirect_uri, challenge and nonce stay "" */
		code.account_id = d->account_id;
		code.issued_at = d->now;
		code.auth_time = d->auth_time;
		code.amr = d->amr;
		rc = pg_code_insert_on(c, hash, &code, ev);
	}
	return pg_finish(b, c, rc);
}
