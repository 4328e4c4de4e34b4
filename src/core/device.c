#include "core/device.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"

/* No other sealed value is made with this context, so none opens as a
 * device cookie. */
#define CONTEXT	"keygate device cookie"

void
device_cookie_make(const struct keygate *kg, int64_t account_id,
    int64_t now, char out[DEVICE_COOKIE_BYTES])
{
	unsigned char nonce[DEVICE_NONCE_BYTES];
	char plain[96], hex[2 * DEVICE_NONCE_BYTES + 1];

	randombytes_buf(nonce, sizeof(nonce));
	sodium_bin2hex(hex, sizeof(hex), nonce, sizeof(nonce));
	snprintf(plain, sizeof(plain), "%lld.%lld.%s", (long long)account_id,
	    (long long)now, hex);
	/* 24 + 70 + 16 bytes: always fits SEALED_MAX_BYTES */
	if (sealed_seal(kg->reveal_key, str_from(plain), str_from(CONTEXT),
	    out) != 0)
		out[0] = '\0';
}

/* The next '.'-ended field of *rest as a number in [min, max]. */
static int
field(struct str *rest, long long min, long long max, long long *out)
{
	const char *dot = memchr(rest->p, '.', rest->len);
	struct str f;

	if (dot == NULL)
		return -1;
	f.p = rest->p;
	f.len = (size_t)(dot - rest->p);
	rest->p = dot + 1;
	rest->len -= f.len + 1;
	return str_to_i64(f, min, max, out);
}

bool
device_cookie_valid(const struct keygate *kg, struct str value,
    int64_t account_id, int64_t now)
{
	char plain[96];
	struct str rest;
	long long id, at;

	if (value.len == 0 || value.len >= DEVICE_COOKIE_BYTES ||
	    sealed_open(kg->reveal_key, value, str_from(CONTEXT), plain,
	    sizeof(plain)) != 0)
		return false;
	rest = str_from(plain);
	if (field(&rest, 1, INT64_MAX, &id) != 0 ||
	    field(&rest, 0, INT64_MAX, &at) != 0 ||
	    rest.len != 2 * DEVICE_NONCE_BYTES)
		return false;
	/* A time ahead of ours is another node's clock: only a server can
	 * seal, so it is no forgery. */
	return id == account_id && now - at < DEVICE_COOKIE_TTL_S;
}
