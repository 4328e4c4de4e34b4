/* PostgreSQL: the throttle counters every node shares. */
#include "base/err.h"
#include "store/pg_stmt.h"

struct counter {
	int64_t	*count;
	int64_t	*window_end;
};

static void
read_counter(const PGresult *res, int row, void *out)
{
	struct counter *c = out;

	*c->count = pg_int(res, row, 0);
	*c->window_end = pg_int(res, row, 1);
}

int
pg_throttle_add(struct store_backend *b, const unsigned char *key,
    int64_t now, int64_t window_s, int64_t *count, int64_t *window_end)
{
	struct counter c = { count, window_end };
	struct pg_params p = { 0 };

	pgp_bytes(&p, key, STORE_THROTTLE_KEY_BYTES);
	pgp_int(&p, now);
	pgp_int(&p, window_s);
	return pg_row(b, STMT_THROTTLE_ADD, &p, read_counter, &c);
}

int
pg_throttle_undo(struct store_backend *b, const unsigned char *key,
    int64_t window_end)
{
	struct pg_params p = { 0 };

	pgp_bytes(&p, key, STORE_THROTTLE_KEY_BYTES);
	pgp_int(&p, window_end);
	return pg_run(b, STMT_THROTTLE_UNDO, &p, NULL);
}

int
pg_throttle_clear(struct store_backend *b, const unsigned char *key)
{
	struct pg_params p = { 0 };

	pgp_bytes(&p, key, STORE_THROTTLE_KEY_BYTES);
	return pg_run(b, STMT_THROTTLE_CLEAR, &p, NULL);
}

int
pg_throttle_expire(struct store_backend *b, int64_t now, size_t batch,
    size_t *removed)
{
	struct pg_params p = { 0 };
	int rc, changes = 0;

	pgp_int(&p, now);
	pgp_int(&p, (int64_t)batch);
	rc = pg_run(b, STMT_THROTTLE_EXPIRE, &p, &changes);
	*removed = rc == 0 ? (size_t)changes : 0;
	return rc;
}

/* Beside the counters, the other state nodes share against replays: the
 * DPoP proofs claimed at the token endpoint. */
int
pg_dpop_jti_claim(struct store_backend *b, const unsigned char *hash,
    int64_t expires_at, int64_t now)
{
	struct pg_params p = { 0 };
	int rc, changes = 0;

	pgp_bytes(&p, hash, SECURE_HASH_BYTES);
	pgp_int(&p, expires_at);
	pgp_int(&p, now);
	rc = pg_run(b, STMT_DPOP_JTI_CLAIM, &p, &changes);
	return rc != 0 ? rc : changes == 1 ? 0 : ERR_EXISTS;
}
