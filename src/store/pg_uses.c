/* PostgreSQL: the use log (0005_use_log.sql); store.c folds it. */
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

/* Runs `id` with one parameter from each of n items, in one transaction. */
static int
each_in_tx(struct store_backend *b, enum stmt_id id, size_t n,
    void (*bind)(struct pg_params *, const void *, size_t), const void *v)
{
	struct pg_conn *c;
	int rc = pg_begin(b, &c);

	if (c == NULL)
		return rc;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct pg_params p = { 0 };

		bind(&p, v, i);
		rc = pg_run_on(c, id, &p, NULL);
	}
	return pg_finish(b, c, rc);
}

static void
bind_use(struct pg_params *p, const void *v, size_t i)
{
	const struct use_entry *u = (const struct use_entry *)v + i;

	pgp_hash(p, u->hash);
	pgp_int(p, u->at);
}

static void
bind_id(struct pg_params *p, const void *v, size_t i)
{
	pgp_int(p, ((const int64_t *)v)[i]);
}

int
pg_access_touch_many(struct store_backend *b, const struct use_entry *uses,
    size_t n)
{
	return each_in_tx(b, STMT_ACCESS_TOUCH, n, bind_use, uses);
}

int
pg_use_log_delete(struct store_backend *b, const int64_t *ids, size_t n)
{
	return each_in_tx(b, STMT_USE_LOG_DELETE, n, bind_id, ids);
}
