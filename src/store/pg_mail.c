/* PostgreSQL: the mail queue every node shares (core/mailer.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "store/pg_stmt.h"

int
pg_mail_add(struct store_backend *b, const char *recipient,
    const char *message, int64_t now, int64_t *id)
{
	struct pg_params p = { 0 };

	pgp_text(&p, recipient);
	pgp_text(&p, message);
	pgp_int(&p, now);
	return pg_row(b, STMT_MAIL_ADD, &p, pg_read_id, id);
}

static void
read_mail(const PGresult *res, int row, void *arg)
{
	struct mail_row *out = arg;

	memset(out, 0, sizeof(*out));
	out->id = pg_int(res, row, 0);
	pg_copy_text(out->recipient, sizeof(out->recipient), res, row, 1);
	out->message = xstrndup(PQgetvalue(res, row, 2),
	    (size_t)PQgetlength(res, row, 2));
	out->created_at = pg_int(res, row, 3);
	out->attempts = pg_int(res, row, 4);
	pg_copy_text(out->last_error, sizeof(out->last_error), res, row, 5);
}

int
pg_mail_claim(struct store_backend *b, int64_t now, int64_t lease_until,
    struct mail_row *out)
{
	struct pg_params p = { 0 };

	pgp_int(&p, now);
	pgp_int(&p, lease_until);
	return pg_row(b, STMT_MAIL_CLAIM, &p, read_mail, out);
}

int
pg_mail_delete(struct store_backend *b, int64_t id)
{
	struct pg_params p = { 0 };

	pgp_int(&p, id);
	return pg_run_one(b, STMT_MAIL_DELETE, &p);
}

int
pg_mail_retry(struct store_backend *b, int64_t id, int64_t attempts,
    int64_t next_at, const char *error)
{
	struct pg_params p = { 0 };
	char cut[MAIL_ERROR_MAX_BYTES];

	snprintf(cut, sizeof(cut), "%s", error);
	pgp_int(&p, id);
	pgp_int(&p, attempts);
	pgp_int(&p, next_at);
	pgp_text(&p, cut);
	return pg_run_one(b, STMT_MAIL_RETRY, &p);
}
