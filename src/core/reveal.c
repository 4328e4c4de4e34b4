#include "core/reveal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/secure.h"
#include "store/store.h"

int
reveal_begin(struct keygate *kg, struct reveal *r)
{
	unsigned char hash[SECURE_HASH_BYTES];

	secure_token("", r->nonce);
	secure_hash(str_from(r->nonce), hash);
	r->issued_at = clock_now(kg->clock);
	return store_reveal_insert(kg->store, hash,
	    r->issued_at + REVEAL_TTL_S);
}

/* The sealed plain text is "<nonce>.<issued_at>.<secret>": nonce and
 * secret are base64url, so neither holds a dot. */
int
reveal_seal(const struct keygate *kg, const struct reveal *r,
    struct str secret, struct str context, char out[SEALED_MAX_BYTES])
{
	char plain[SEALED_MAX_BYTES];
	int n, rc;

	n = snprintf(plain, sizeof(plain), "%s.%lld.%.*s", r->nonce,
	    (long long)r->issued_at, (int)secret.len, secret.p);
	if (n < 0 || (size_t)n >= sizeof(plain)) {
		sodium_memzero(plain, sizeof(plain));
		return ERR_TOOBIG;
	}
	rc = sealed_seal(kg->reveal_key, str_from(plain), context, out);
	sodium_memzero(plain, sizeof(plain));
	return rc;
}

/* Splits an opened value into its three parts; false when malformed. */
static bool
split(const char *plain, struct str *nonce, int64_t *issued_at,
    struct str *secret)
{
	const char *dot1 = strchr(plain, '.'), *dot2;
	long long t;

	if (dot1 == NULL || (dot2 = strchr(dot1 + 1, '.')) == NULL)
		return false;
	*nonce = (struct str){ plain, (size_t)(dot1 - plain) };
	*secret = str_from(dot2 + 1);
	if (str_to_i64((struct str){ dot1 + 1, (size_t)(dot2 - dot1 - 1) },
	    0, INT64_MAX, &t) != 0)
		return false;
	*issued_at = t;
	return nonce->len > 0 && secret->len > 0 &&
	    secret->len <= TOKEN_MAX_BYTES;
}

/* What the opened value says, judged: ERR_EXPIRED past REVEAL_TTL_S, else
 * the showing is taken from the store, so a second reading finds none. */
static int
take(struct keygate *kg, struct str nonce, int64_t issued_at)
{
	unsigned char hash[SECURE_HASH_BYTES];
	int64_t now = clock_now(kg->clock), expires_at;
	int rc;

	if (now - issued_at >= REVEAL_TTL_S)
		return ERR_EXPIRED;
	secure_hash(nonce, hash);
	rc = store_reveal_take(kg->store, hash, &expires_at);
	if (rc == ERR_NOTFOUND)
		return ERR_AUTH;
	if (rc == 0 && expires_at <= now)
		return ERR_EXPIRED;
	return rc;
}

int
reveal_take(struct keygate *kg, struct str sealed, struct str context,
    char secret[TOKEN_MAX_BYTES + 1])
{
	char plain[SEALED_MAX_BYTES];
	struct str nonce, s;
	int64_t issued_at;
	int rc;

	rc = sealed_open(kg->reveal_key, sealed, context, plain,
	    sizeof(plain));
	if (rc == 0 && !split(plain, &nonce, &issued_at, &s))
		rc = ERR_AUTH;
	if (rc == 0)
		rc = take(kg, nonce, issued_at);
	if (rc == 0) {
		memcpy(secret, s.p, s.len);
		secret[s.len] = '\0';
	}
	sodium_memzero(plain, sizeof(plain));
	return rc;
}
