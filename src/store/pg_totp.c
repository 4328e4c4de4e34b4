/* PostgreSQL: two-step log-in (the totp row of an account, its recovery
 * codes). */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store/pg_stmt.h"

static void
read_totp(const PGresult *res, int row, void *p)
{
	struct totp_row *out = p;

	pg_copy_text(out->secret, sizeof(out->secret), res, row, 0);
	out->enabled_at = pg_int(res, row, 1);
	out->last_step = pg_int(res, row, 2);
}

int
pg_totp_get(struct store_backend *b, int64_t account_id,
    struct totp_row *out)
{
	struct pg_params p = { 0 };

	pgp_int(&p, account_id);
	return pg_row(b, STMT_TOTP_GET, &p, read_totp, out);
}

int
pg_totp_insert(struct store_backend *b, int64_t account_id,
    const struct totp_row *row,
    const unsigned char (*hashes)[SECURE_HASH_BYTES], size_t n,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };
	struct pg_conn *c;
	int rc;

	if ((rc = pg_begin(b, &c)) != 0 && c == NULL)
		return rc;
	pgp_int(&p, account_id);
	pgp_text(&p, row->secret);
	pgp_int(&p, row->enabled_at);
	pgp_int(&p, row->last_step);
	if (rc == 0)
		rc = pg_run_on(c, STMT_TOTP_INSERT, &p, NULL);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct pg_params h = { 0 };

		pgp_int(&h, account_id);
		pgp_hash(&h, hashes[i]);
		rc = pg_run_on(c, STMT_RECOVERY_INSERT, &h, NULL);
	}
	if (rc == 0)
		rc = pg_event_put(c, ev);
	return pg_finish(b, c, rc);
}

int
pg_totp_step(struct store_backend *b, int64_t account_id, int64_t step)
{
	struct pg_params p = { 0 };
	int changes = 0, rc;

	pgp_int(&p, account_id);
	pgp_int(&p, step);
	rc = pg_run(b, STMT_TOTP_STEP, &p, &changes);
	return rc == 0 && changes == 0 ? ERR_CONFLICT : rc;
}

int
pg_totp_delete(struct store_backend *b, int64_t account_id,
    const struct event_new *ev)
{
	struct pg_params p = { 0 };

	pgp_int(&p, account_id);
	return pg_run_event(b, STMT_TOTP_DELETE, &p, ev, true);
}

static void
read_hash(const PGresult *res, int row, void *p)
{
	if (!pg_copy_bytes(p, SECURE_HASH_BYTES, res, row, 0))
		memset(p, 0, SECURE_HASH_BYTES);
}

int
pg_recovery_list(struct store_backend *b, int64_t account_id,
    unsigned char (*hashes)[SECURE_HASH_BYTES], size_t max, size_t *n)
{
	struct pg_params p = { 0 };
	void *v;
	size_t got = 0;
	int rc;

	*n = 0;
	pgp_int(&p, account_id);
	pgp_int(&p, (int64_t)max);
	rc = pg_rows(b, STMT_RECOVERY_LIST, &p, read_hash, SECURE_HASH_BYTES,
	    &v, &got);
	if (rc != 0)
		return rc;
	*n = got < max ? got : max;
	memcpy(hashes, v, *n * SECURE_HASH_BYTES);
	free(v);
	return 0;
}

int
pg_recovery_take(struct store_backend *b, int64_t account_id,
    const unsigned char *hash)
{
	struct pg_params p = { 0 };

	pgp_int(&p, account_id);
	pgp_hash(&p, hash);
	return pg_run_one(b, STMT_RECOVERY_TAKE, &p);
}
