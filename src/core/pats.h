#ifndef KEYGATE_CORE_PATS_H
#define KEYGATE_CORE_PATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/keygate.h"
#include "base/str.h"
#include "store/store.h"

/* Personal access tokens for the developer REST API (docs/REFERENCE.md §6):
 * valid until revoked, shown once, stored as SHA-256 hashes. */

#define PAT_PREFIX	"kg_pat_"

_Static_assert(PATS_PER_ACCOUNT_MAX == 100, "PATS_TOO_MANY says 100");
_Static_assert(THROTTLE_PATS_PER_ACCOUNT == 20, "PATS_TOO_FAST says 20");
#define PATS_TOO_FAST	"This account made 20 personal access tokens in " \
	"the last hour, the most it may; wait before making another."
#define PATS_TOO_MANY	"This account already holds 100 personal access " \
	"tokens, the most it may; revoke one to create another."

/* Issues a token for `account_id`; token gets the value (show it once).
 * Returns 0, ERR_THROTTLED (retry_after_s set) past
 * THROTTLE_PATS_PER_ACCOUNT tokens made in THROTTLE_PATS_WINDOW_S,
 * ERR_TOOBIG when the account holds PATS_PER_ACCOUNT_MAX already
 * (PATS_TOO_MANY says it), or ERR_STORE. */
int	pats_issue(struct keygate *kg, int64_t account_id, const char *addr,
	    char token[TOKEN_MAX_BYTES + 1], struct pat_row *row,
	    int64_t *retry_after_s);

/* Resolves a presented token from client address `addr`. Returns 0
 * (*account_id set), ERR_AUTH for an unknown or malformed token, ERR_THROTTLED
 * (retry_after_s set) after too many failures from the address, or
 * ERR_STORE. */
int	pats_authenticate(struct keygate *kg, const char *addr,
	    struct str token, int64_t *account_id, int64_t *retry_after_s);

/* One page (store_page), newest first; *rows is malloc'd, free() it. */
int	pats_list(struct keygate *kg, int64_t account_id,
	    const struct store_page *page, struct pat_row **rows, size_t *n);

/* ERR_NOTFOUND unless `id` is one of the account's tokens. */
int	pats_revoke(struct keygate *kg, int64_t account_id, const char *addr,
	    int64_t id);

#endif
