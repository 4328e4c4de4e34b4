/* PostgreSQL: the OpenID Provider's signing keys. */
#include <stdlib.h>

#include "base/err.h"
#include "store/pg_stmt.h"

int
pg_signing_key_add(struct store_backend *b,
    const struct signing_key_row *row)
{
	struct pg_params p = { 0 };
	int changes = 0, rc;

	pgp_text(&p, row->kid);
	pgp_text(&p, row->alg);
	pgp_int(&p, row->seq);
	pgp_text(&p, row->public_jwk);
	pgp_text(&p, row->private_sealed);
	pgp_int(&p, row->created_at);
	pgp_int(&p, row->active_from);
	rc = pg_run(b, STMT_SIGNING_KEY_ADD, &p, &changes);
	return rc == 0 && changes == 0 ? ERR_EXISTS : rc;
}

static void
read_key(const PGresult *res, int row, void *p)
{
	struct signing_key_row *out = p;

	pg_copy_text(out->kid, sizeof(out->kid), res, row, 0);
	pg_copy_text(out->alg, sizeof(out->alg), res, row, 1);
	out->seq = pg_int(res, row, 2);
	pg_copy_text(out->public_jwk, sizeof(out->public_jwk), res, row, 3);
	pg_copy_text(out->private_sealed, sizeof(out->private_sealed), res,
	    row, 4);
	out->created_at = pg_int(res, row, 5);
	out->active_from = pg_int(res, row, 6);
}

int
pg_signing_key_list(struct store_backend *b, struct signing_key_row **rows,
    size_t *n)
{
	struct pg_params p = { 0 };
	void *v = NULL;
	int rc;

	*rows = NULL;
	*n = 0;
	rc = pg_rows(b, STMT_SIGNING_KEY_LIST, &p, read_key, sizeof(**rows),
	    &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}
