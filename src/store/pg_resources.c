/* PostgreSQL: registered resources (0024_resources.sql). */
#include <stdlib.h>

#include "base/err.h"
#include "store/pg_stmt.h"

static int
insert_all(struct pg_conn *c, const struct resource_bit_row *rows, size_t n)
{
	struct pg_params p = { 0 };
	int rc;

	pgp_text(&p, rows[0].uri);
	pgp_text(&p, rows[0].name);
	pgp_int(&p, rows[0].created_at);
	rc = pg_run_on(c, STMT_RESOURCE_INSERT, &p, NULL);
	for (size_t k = 0; rc == 0 && k < n; k++) {
		struct pg_params q = { 0 };

		pgp_int(&q, rows[k].bit);
		pgp_text(&q, rows[k].uri);
		pgp_text(&q, rows[k].scope);
		pgp_text(&q, rows[k].description);
		rc = pg_run_on(c, STMT_RESOURCE_BIT_INSERT, &q, NULL);
	}
	return rc;
}

static int clear_bits(struct pg_conn *c, unsigned bits, unsigned keep);

int
pg_resource_add(struct store_backend *b, const struct resource_bit_row *rows,
    size_t n, unsigned keep)
{
	struct pg_conn *c;
	unsigned bits = 0;
	int rc = pg_begin(b, &c);

	for (size_t k = 0; k < n; k++)
		bits |= 1u << rows[k].bit;
	if (rc == 0)
		rc = clear_bits(c, bits, keep);
	if (rc == 0)
		rc = insert_all(c, rows, n);
	return c == NULL ? rc : pg_finish(b, c, rc);
}

static void
read_bit(const PGresult *res, int row, void *p)
{
	struct resource_bit_row *out = p;

	pg_copy_text(out->uri, sizeof(out->uri), res, row, 0);
	pg_copy_text(out->name, sizeof(out->name), res, row, 1);
	out->created_at = pg_int(res, row, 2);
	out->bit = (unsigned)pg_int(res, row, 3);
	pg_copy_text(out->scope, sizeof(out->scope), res, row, 4);
	pg_copy_text(out->description, sizeof(out->description), res, row, 5);
}

int
pg_resource_list(struct store_backend *b, struct resource_bit_row **rows,
    size_t *n)
{
	struct pg_params p = { 0 };
	void *v = NULL;
	int rc;

	*rows = NULL;
	*n = 0;
	rc = pg_rows(b, STMT_RESOURCE_LIST, &p, read_bit, sizeof(**rows),
	    &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}

/* What carried `bits` revoked, deleted or narrowed (store.h). */
static int
clear_bits(struct pg_conn *c, unsigned bits, unsigned keep)
{
	static const enum stmt_id clear[] = {
		STMT_RESOURCE_FAMILIES_REVOKE, STMT_RESOURCE_CODES_DELETE,
		STMT_RESOURCE_DEVICE_DELETE, STMT_RESOURCE_GRANTS_EMPTY_DELETE,
		STMT_RESOURCE_GRANTS_NARROW,
	};
	struct pg_params p = { 0 }, two = { 0 };
	int rc = 0;

	pgp_int(&p, bits);
	pgp_int(&two, bits);
	pgp_int(&two, keep);
	for (size_t k = 0; rc == 0 && k < sizeof(clear) / sizeof(*clear); k++)
		rc = pg_run_on(c, clear[k], clear[k] ==
		    STMT_RESOURCE_GRANTS_EMPTY_DELETE ? &two : &p, NULL);
	return rc;
}

static int
delete_on(struct pg_conn *c, const char *uri, unsigned bits, unsigned keep)
{
	struct pg_params q = { 0 };
	int changes = 0, rc = clear_bits(c, bits, keep);

	pgp_text(&q, uri);
	if (rc == 0)
		rc = pg_run_on(c, STMT_RESOURCE_DELETE, &q, &changes);
	return rc == 0 && changes == 0 ? ERR_NOTFOUND : rc;
}

int
pg_resource_delete(struct store_backend *b, const char *uri, unsigned bits,
    unsigned keep)
{
	struct pg_conn *c;
	int rc = pg_begin(b, &c);

	if (rc == 0)
		rc = delete_on(c, uri, bits, keep);
	return c == NULL ? rc : pg_finish(b, c, rc);
}
