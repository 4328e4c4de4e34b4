#ifndef KEYGATE_CORE_LINKS_H
#define KEYGATE_CORE_LINKS_H

#include <stdint.h>

#include "core/keygate.h"
#include "base/str.h"
#include "store/store.h"

/* One-time links mailed to an account: a random token (TOKEN_RANDOM_BYTES
 * of randomness behind a prefix that names its purpose) in a URL; the
 * store keeps only its SHA-256 (store_link_*()). Each lives for its
 * purpose's time (limits.h LINK_*_TTL_S), is used once, and the newest of
 * one purpose replaces the account's older one. */

#define LINK_VERIFY_PREFIX	"kg_ev_"	/* STORE_LINK_VERIFY */
#define LINK_RESET_PREFIX	"kg_pr_"	/* STORE_LINK_RESET */
#define LINK_EMAIL_PREFIX	"kg_ec_"	/* STORE_LINK_EMAIL */

/* The purpose a token's prefix names, or 0 for a token that is no link's
 * (a wrong prefix, a length no link has, a character base64url has not). */
int	links_purpose(struct str token);

/* A new link of `purpose` for the account, about address `email`; token
 * receives it. Returns 0 or ERR_STORE. */
int	links_make(struct keygate *kg, int64_t account_id, int purpose,
	    const char *email, char token[TOKEN_MAX_BYTES + 1]);

/* The link `token` of `purpose`, left as it is: 0 (out filled),
 * ERR_NOTFOUND (malformed, unknown or used), ERR_EXPIRED or ERR_STORE. */
int	links_peek(struct keygate *kg, struct str token, int purpose,
	    struct link_row *out);

/* The same, using the link up: of two racing calls one gets 0. */
int	links_take(struct keygate *kg, struct str token, int purpose,
	    struct link_row *out);

#endif
