#ifndef KEYGATE_CORE_LIFETIME_H
#define KEYGATE_CORE_LIFETIME_H

#include <stdbool.h>
#include <stdint.h>

/* The access-token lifetime rule of docs/REFERENCE.md §4, the one users plan
 * around. */
struct lifetime {
	int64_t	 unused_ttl_s;	/* never used: dies at iat + this */
	int64_t	 idle_ttl_s;	/* used: dies this long after the last use */
	int64_t	 max_ttl_s;	/* nothing outlives iat + this */
};

/* When a token issued at `iat` and last used at `last_used` (0 = never)
 * expires: iat + unused when never used, else min(iat + max, last_used +
 * idle). */
int64_t	lifetime_expiry(const struct lifetime *lt, int64_t iat,
	    int64_t last_used);

/* True while now < expiry. */
bool	lifetime_alive(const struct lifetime *lt, int64_t iat,
	    int64_t last_used, int64_t now);

#endif
