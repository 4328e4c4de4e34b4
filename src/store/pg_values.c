/* PostgreSQL: statement parameters in, column values out. */
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "base/secure.h"
#include "store/pg_stmt.h"

static void
add(struct pg_params *p, const char *value, int length, int format)
{
	if (p->n >= PG_MAX_PARAMS)
		abort();	/* a statement with more is a programming error */
	p->values[p->n] = value;
	p->lengths[p->n] = length;
	p->formats[p->n] = format;
	p->n++;
}

void
pgp_int(struct pg_params *p, int64_t v)
{
	char *slot = p->num[p->n < PG_MAX_PARAMS ? p->n : 0];

	snprintf(slot, sizeof(p->num[0]), "%lld", (long long)v);
	add(p, slot, 0, 0);
}

void
pgp_text(struct pg_params *p, const char *s)
{
	add(p, s, 0, 0);
}

void
pgp_bytes(struct pg_params *p, const unsigned char *bytes, size_t len)
{
	add(p, (const char *)bytes, (int)len, 1);
}

void
pgp_hash(struct pg_params *p, const unsigned char *hash)
{
	pgp_bytes(p, hash, SECURE_HASH_BYTES);
}

void
pgp_hash_or_null(struct pg_params *p, const unsigned char *hash)
{
	if (hash == NULL)
		add(p, NULL, 0, 0);
	else
		pgp_hash(p, hash);
}

int64_t
pg_int(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

bool
pg_bool(const PGresult *res, int row, int col)
{
	return PQgetvalue(res, row, col)[0] == 't';
}

void
pg_copy_text(char *dst, size_t dstlen, const PGresult *res, int row,
    int col)
{
	size_t len = (size_t)PQgetlength(res, row, col);

	if (len >= dstlen)
		len = dstlen - 1;
	memcpy(dst, PQgetvalue(res, row, col), len);
	dst[len] = '\0';
}

bool
pg_copy_bytes(unsigned char *dst, size_t len, const PGresult *res, int row,
    int col)
{
	unsigned char *raw;
	size_t n = 0;
	bool ok;

	if (PQgetisnull(res, row, col))
		return false;
	raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row,
	    col), &n);
	ok = raw != NULL && n == len;
	if (ok)
		memcpy(dst, raw, len);
	if (raw != NULL)
		sodium_memzero(raw, n);	/* it may be a server key */
	PQfreemem(raw);
	return ok;
}

void
pg_read_id(const PGresult *res, int row, void *out)
{
	*(int64_t *)out = pg_int(res, row, 0);
}

void
pg_read_jkt(const PGresult *res, int row, int col, bool *bound,
    unsigned char jkt[SECURE_HASH_BYTES])
{
	*bound = pg_copy_bytes(jkt, SECURE_HASH_BYTES, res, row, col);
	if (!*bound)
		memset(jkt, 0, SECURE_HASH_BYTES);
}
