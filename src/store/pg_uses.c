/* PostgreSQL: the use log (0005_use_log.sql); store.c folds it. */
#include <stdio.h>
#include <stdlib.h>

#include "base/err.h"
#include "base/mem.h"
#include "store/pg_stmt.h"

int
pg_use_log_append_on(struct pg_conn *c, const struct use_entry *uses,
    size_t n)
{
	struct pg_params p = { 0 };
	unsigned char *blob = use_log_encode(uses, n);
	int rc;

	pgp_bytes(&p, blob, n * USE_LOG_ENTRY);
	rc = pg_run_on(c, STMT_USE_LOG_APPEND, &p, NULL);
	free(blob);
	return rc;
}

int
pg_use_log_append(struct store_backend *b, const struct use_entry *uses,
    size_t n)
{
	struct pg_conn *c = pg_acquire(b);
	int rc;

	if (c == NULL)
		return ERR_STORE;
	rc = pg_use_log_append_on(c, uses, n);
	pg_release(b, c);
	return rc;
}

int
pg_use_log_read(struct store_backend *b, int64_t after, int64_t upto,
    struct use_fold *f, int64_t **ids, size_t *nids)
{
	struct pg_conn *c = pg_acquire(b);
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	*ids = xmalloc(USE_LOG_READ * sizeof(**ids));
	*nids = 0;
	if (c == NULL)
		return ERR_STORE;
	pgp_int(&p, after);
	pgp_int(&p, upto);
	rc = pg_exec(c, STMT_USE_LOG_READ, &p, &res);
	pg_release(b, c);
	if (rc != 0)
		return rc;
	for (int i = 0; i < PQntuples(res) && *nids < USE_LOG_READ; i++) {
		size_t len = 0;
		unsigned char *raw = PQunescapeBytea(
		    (const unsigned char *)PQgetvalue(res, i, 1), &len);

		if (raw == NULL) {
			rc = ERR_STORE;
			break;
		}
		(*ids)[(*nids)++] = pg_int(res, i, 0);
		use_fold_add(f, raw, len);
		PQfreemem(raw);
	}
	PQclear(res);
	return rc;
}

/* A batch of the fold in one statement: a statement per use cost the
 * database a round trip and a plan's execution each, more than the use
 * itself. The uses go in the use log's own encoding. */
int
pg_access_touch_many(struct store_backend *b, const struct use_entry *uses,
    size_t n)
{
	struct pg_params p = { 0 };
	unsigned char *blob;
	int rc;

	if (n == 0)
		return 0;
	blob = use_log_encode(uses, n);
	pgp_bytes(&p, blob, n * USE_LOG_ENTRY);
	rc = pg_run(b, STMT_ACCESS_TOUCH_MANY, &p, NULL);
	free(blob);
	return rc;
}

int
pg_use_log_delete(struct store_backend *b, const int64_t *ids, size_t n)
{
	struct pg_params p = { 0 };
	size_t cap = n * 22 + 3, len = 0;
	char *list;
	int rc;

	if (n == 0)
		return 0;
	list = xmalloc(cap);
	list[len++] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(list + len, cap - len, "%s%lld",
		    i > 0 ? "," : "", (long long)ids[i]);
	snprintf(list + len, cap - len, "}");
	pgp_text(&p, list);
	rc = pg_run(b, STMT_USE_LOG_DELETE_MANY, &p, NULL);
	free(list);
	return rc;
}
