/* PostgreSQL: pushed authorization requests (RFC 9126), as sqlite_par.c. */
#include "base/err.h"
#include "store/pg_stmt.h"

int
pg_par_insert(struct store_backend *b, const unsigned char *hash,
    const struct par_row *row)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_int(&p, row->app_id);
	pgp_text(&p, row->params);
	pgp_int(&p, row->created_at);
	pgp_int(&p, row->expires_at);
	return pg_run(b, STMT_PAR_INSERT, &p, NULL);
}

static void
read_par(const PGresult *res, int row, void *out)
{
	struct par_row *r = out;

	r->app_id = pg_int(res, row, 0);
	pg_copy_text(r->params, sizeof(r->params), res, row, 1);
	r->created_at = pg_int(res, row, 2);
	r->expires_at = pg_int(res, row, 3);
}

int
pg_par_get(struct store_backend *b, const unsigned char *hash, int64_t now,
    struct par_row *out)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_int(&p, now);
	return pg_row(b, STMT_PAR_GET, &p, read_par, out);
}

int
pg_par_use(struct store_backend *b, const unsigned char *hash,
    int64_t app_id, int64_t now)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	pgp_int(&p, app_id);
	pgp_int(&p, now);
	return pg_run_one(b, STMT_PAR_USE, &p);
}
