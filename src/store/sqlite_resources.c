/* SQLite: registered resources (0024_resources.sql). */
#include <stdlib.h>

#include "base/err.h"
#include "store/sqlite_stmt.h"

static int
insert_bit(struct store_backend *b, const struct resource_bit_row *r)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_RESOURCE_BIT_INSERT, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, r->bit);
	sqlite3_bind_text(st, 2, r->uri, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->description, -1, SQLITE_STATIC);
	return sqlite_run(db, st, NULL);
}

static int
insert_resource(struct store_backend *b, const struct resource_bit_row *r)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_RESOURCE_INSERT, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_text(st, 1, r->uri, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->created_at);
	return sqlite_run(db, st, NULL);
}

static int clear_bits(struct store_backend *b, unsigned bits,
    unsigned keep);

int
sqlite_resource_add(struct store_backend *b,
    const struct resource_bit_row *rows, size_t n, unsigned keep)
{
	unsigned bits = 0;
	int rc;

	for (size_t k = 0; k < n; k++)
		bits |= 1u << rows[k].bit;
	if ((rc = sqlite_simple(b, STMT_BEGIN)) != 0)
		return rc;
	rc = clear_bits(b, bits, keep);
	if (rc == 0)
		rc = insert_resource(b, &rows[0]);
	for (size_t k = 0; rc == 0 && k < n; k++)
		rc = insert_bit(b, &rows[k]);
	return sqlite_finish(b, rc);
}

static void
read_bit(sqlite3_stmt *st, void *p)
{
	struct resource_bit_row *out = p;

	sqlite_copy_text(out->uri, sizeof(out->uri), st, 0);
	sqlite_copy_text(out->name, sizeof(out->name), st, 1);
	out->created_at = sqlite3_column_int64(st, 2);
	out->bit = (unsigned)sqlite3_column_int64(st, 3);
	sqlite_copy_text(out->scope, sizeof(out->scope), st, 4);
	sqlite_copy_text(out->description, sizeof(out->description), st, 5);
}

int
sqlite_resource_list(struct store_backend *b, struct resource_bit_row **rows,
    size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_RESOURCE_LIST, &db);
	void *v = NULL;
	int rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return ERR_STORE;
	rc = sqlite_rows(db, st, read_bit, sizeof(**rows), &v, n);
	if (rc == 0)
		*rows = v;
	return rc;
}

/* One statement of the delete, with the bits (or the URI) as ?1 and the
 * audiences kept as ?2. */
static int
run_with(struct store_backend *b, enum stmt_id id, unsigned bits,
    unsigned keep, const char *uri, int *changes)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, id, &db);

	if (st == NULL)
		return ERR_STORE;
	if (uri != NULL) {
		sqlite3_bind_text(st, 1, uri, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_int64(st, 1, bits);
		if (id == STMT_RESOURCE_GRANTS_EMPTY_DELETE)
			sqlite3_bind_int64(st, 2, keep);
	}
	return sqlite_run(db, st, changes);
}

/* What carried `bits` revoked, deleted or narrowed (store.h). */
static int
clear_bits(struct store_backend *b, unsigned bits, unsigned keep)
{
	static const enum stmt_id clear[] = {
		STMT_RESOURCE_FAMILIES_REVOKE, STMT_RESOURCE_CODES_DELETE,
		STMT_RESOURCE_DEVICE_DELETE, STMT_RESOURCE_GRANTS_EMPTY_DELETE,
		STMT_RESOURCE_GRANTS_NARROW,
	};
	int rc = 0;

	for (size_t k = 0; rc == 0 && k < sizeof(clear) / sizeof(*clear); k++)
		rc = run_with(b, clear[k], bits, keep, NULL, NULL);
	return rc;
}

int
sqlite_resource_delete(struct store_backend *b, const char *uri,
    unsigned bits, unsigned keep)
{
	int changes = 0, rc;

	if ((rc = sqlite_simple(b, STMT_BEGIN)) != 0)
		return rc;
	rc = clear_bits(b, bits, keep);
	if (rc == 0)
		rc = run_with(b, STMT_RESOURCE_DELETE, 0, 0, uri, &changes);
	if (rc == 0 && changes == 0)
		rc = ERR_NOTFOUND;
	return sqlite_finish(b, rc);
}
