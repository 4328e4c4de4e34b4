/* Pushed authorization requests (RFC 9126; docs/REFERENCE.md §18). */
#include "core/par.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/secure.h"
#include "core/throttle.h"

/* The reference is the part after the prefix; only its hash is stored,
 * so that a read of the store yields no usable request_uri. */
static int
reference_hash(struct str request_uri, unsigned char hash[SECURE_HASH_BYTES])
{
	const size_t plen = sizeof(PAR_URI_PREFIX) - 1;

	if (request_uri.len <= plen || request_uri.len >= PAR_URI_MAX_BYTES ||
	    !str_starts_with(request_uri, PAR_URI_PREFIX))
		return ERR_NOTFOUND;
	secure_hash((struct str){ request_uri.p + plen, request_uri.len -
	    plen }, hash);
	return 0;
}

/* Every push is a row kept a day: a public app's, whose client_id is no
 * secret, are bounded per address as device grants are. */
static int
take_push(struct keygate *kg, const struct app_row *app, const char *addr,
    int64_t *retry_after_s)
{
	char key[96], unit[THROTTLE_ADDR_BYTES];
	struct throttle_ticket tk;

	if (app->has_secret)
		return 0;
	throttle_addr(addr, unit);
	snprintf(key, sizeof(key), "par-push:%s", unit);
	return throttle_take(kg->throttle, str_from(key),
	    THROTTLE_PAR_PUSHES_PER_ADDRESS, THROTTLE_WINDOW_S,
	    clock_now(kg->clock), retry_after_s, &tk);
}

int
par_push(struct keygate *kg, const struct app_row *app, const char *addr,
    struct str params, char out[PAR_URI_MAX_BYTES], int64_t *retry_after_s)
{
	struct par_row *r;	/* 16 KB: not on a handler's stack */
	char ref[TOKEN_MAX_BYTES + 1];
	unsigned char hash[SECURE_HASH_BYTES];
	int rc;

	if (params.len > PAR_PARAMS_MAX_BYTES)
		return ERR_TOOBIG;
	if ((rc = take_push(kg, app, addr, retry_after_s)) != 0)
		return rc;
	r = xcalloc(1, sizeof(*r));
	r->app_id = app->id;
	r->created_at = clock_now(kg->clock);
	r->expires_at = r->created_at + PAR_TTL_S;
	memcpy(r->params, params.p, params.len);
	secure_token("", ref);
	secure_hash(str_from(ref), hash);
	rc = store_par_insert(kg->store, hash, r);
	free(r);
	if (rc == 0)
		snprintf(out, PAR_URI_MAX_BYTES, "%s%s", PAR_URI_PREFIX, ref);
	return rc == ERR_EXISTS ? ERR_STORE : rc;
}

int
par_find(struct keygate *kg, struct str request_uri, struct par_row *out)
{
	unsigned char hash[SECURE_HASH_BYTES];

	if (reference_hash(request_uri, hash) != 0)
		return ERR_NOTFOUND;
	return store_par_get(kg->store, hash, clock_now(kg->clock), out);
}

int
par_use(struct keygate *kg, struct str request_uri, int64_t app_id)
{
	unsigned char hash[SECURE_HASH_BYTES];

	if (reference_hash(request_uri, hash) != 0)
		return ERR_NOTFOUND;
	return store_par_use(kg->store, hash, app_id, clock_now(kg->clock));
}
