#ifndef KEYGATE_CORE_REVEAL_H
#define KEYGATE_CORE_REVEAL_H

#include <stdint.h>

#include "core/keygate.h"
#include "base/limits.h"
#include "core/sealed.h"
#include "base/str.h"

/* A new app secret's one showing. The POST that makes the secret records a
 * showing (a random nonce whose SHA-256 is stored with an expiry) and seals
 * the nonce, the time and the secret into a cookie (sealed.h); the page
 * that shows the secret takes the showing out of the store in one
 * statement. The same cookie replayed, or read REVEAL_TTL_S after it was
 * made, shows nothing. The server never keeps the secret itself. */

struct reveal {
	char	 nonce[TOKEN_MAX_BYTES + 1];
	int64_t	 issued_at;
};

/* Records a new showing into *r, expiring REVEAL_TTL_S from now. Returns
 * 0 or ERR_STORE. A showing never sealed is removed by upkeep_gc(). */
int	reveal_begin(struct keygate *kg, struct reveal *r);

/* Seals showing r of `secret`, bound to `context` (sealed.h), into out.
 * Returns 0 or ERR_TOOBIG. */
int	reveal_seal(const struct keygate *kg, const struct reveal *r,
	    struct str secret, struct str context, char out[SEALED_MAX_BYTES]);

/* Opens `sealed` and uses its showing up; the secret goes to `secret`.
 * Returns 0; ERR_AUTH when the value is forged, altered, bound to another
 * context or malformed, or its showing was taken before; ERR_EXPIRED when
 * REVEAL_TTL_S has passed; ERR_STORE. */
int	reveal_take(struct keygate *kg, struct str sealed, struct str context,
	    char secret[TOKEN_MAX_BYTES + 1]);

#endif
