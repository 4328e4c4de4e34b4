#include "core/totp_pending.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/secure.h"
#include "core/totp.h"
#include "store/store.h"

/* The tag keeps these proofs apart from every other use of the key. */
static void
full_context(struct str context, struct buf *out)
{
	buf_init(out, HTTP_MAX_URL_BYTES);
	buf_puts(out, "totp-pending|");
	buf_putstr(out, context);
}

/* The sealed plain text is "<nonce>.<issued_at>.<account_id>"; the nonce
 * is base64url, which holds no dot. */
int
totp_pending_begin(struct keygate *kg, struct str context,
    int64_t account_id, char out[SEALED_MAX_BYTES])
{
	unsigned char hash[SECURE_HASH_BYTES];
	char nonce[TOKEN_MAX_BYTES + 1], plain[TOKEN_MAX_BYTES + 48];
	int64_t now = clock_now(kg->clock);
	struct buf ctx;
	int rc;

	secure_token("", nonce);
	secure_hash(str_from(nonce), hash);
	rc = store_reveal_insert(kg->store, hash, now + TOTP_PENDING_TTL_S);
	snprintf(plain, sizeof(plain), "%s.%lld.%lld", nonce, (long long)now,
	    (long long)account_id);
	full_context(context, &ctx);
	if (rc == 0)
		rc = ctx.err != 0 ? ctx.err : sealed_seal(kg->totp_key,
		    str_from(plain), buf_str(&ctx), out);
	buf_release(&ctx);
	sodium_memzero(nonce, sizeof(nonce));
	sodium_memzero(plain, sizeof(plain));
	return rc == 0 ? 0 : ERR_STORE;
}

/* Splits an opened proof into *out; false when malformed. */
static bool
split(const char *plain, struct totp_pending *out)
{
	const char *dot1 = strchr(plain, '.'), *dot2;
	long long t, id;

	if (dot1 == NULL || (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    dot1 == plain || (size_t)(dot1 - plain) > TOKEN_MAX_BYTES)
		return false;
	if (str_to_i64((struct str){ dot1 + 1, (size_t)(dot2 - dot1 - 1) },
	    0, INT64_MAX, &t) != 0 ||
	    str_to_i64(str_from(dot2 + 1), 1, INT64_MAX, &id) != 0)
		return false;
	memcpy(out->nonce, plain, (size_t)(dot1 - plain));
	out->nonce[dot1 - plain] = '\0';
	out->issued_at = t;
	out->account_id = id;
	return true;
}

int
totp_pending_open(struct keygate *kg, struct str context, struct str sealed,
    struct totp_pending *out)
{
	char plain[SEALED_MAX_BYTES];
	struct buf ctx;
	int rc;

	memset(out, 0, sizeof(*out));
	full_context(context, &ctx);
	rc = ctx.err != 0 ? ERR_AUTH : sealed_open(kg->totp_key, sealed,
	    buf_str(&ctx), plain, sizeof(plain));
	buf_release(&ctx);
	if (rc == 0 && !split(plain, out))
		rc = ERR_AUTH;
	if (rc == 0 && clock_now(kg->clock) - out->issued_at >=
	    TOTP_PENDING_TTL_S)
		rc = ERR_EXPIRED;
	sodium_memzero(plain, sizeof(plain));
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* Uses the proof up: 0 for the one call that takes it, ERR_EXPIRED when
 * it was taken before or ran out, ERR_STORE. */
static int
spend(struct keygate *kg, const struct totp_pending *p)
{
	unsigned char hash[SECURE_HASH_BYTES];
	int64_t expires_at = 0;
	int rc;

	secure_hash(str_from(p->nonce), hash);
	rc = store_reveal_take(kg->store, hash, &expires_at);
	if (rc == ERR_NOTFOUND ||
	    (rc == 0 && expires_at <= clock_now(kg->clock)))
		return ERR_EXPIRED;
	return rc;
}

int
totp_pending_answer(struct keygate *kg, const struct totp_pending *p,
    const char *addr, struct str code, int64_t *retry_after_s)
{
	int rc = totp_check(kg, p->account_id, addr, code, retry_after_s);

	/* spent only by a right code: a wrong one may be followed by a
	 * right one */
	return rc == 0 ? spend(kg, p) : rc;
}
