#ifndef KEYGATE_CORE_PAR_H
#define KEYGATE_CORE_PAR_H

#include <stdint.h>

#include "base/str.h"
#include "core/keygate.h"
#include "store/store.h"

/* Pushed authorization requests (RFC 9126; docs/REFERENCE.md §18): the
 * request_uri a client gets for parameters it pushed, and its one use.
 * The parameters are opaque here (oauth/par.c checks and encodes them);
 * the store keeps them under the SHA-256 of the reference, so that any
 * node of a shared store can answer the browser. */

#define PAR_URI_PREFIX	"urn:ietf:params:oauth:request_uri:"
#define PAR_URI_MAX_BYTES	(sizeof(PAR_URI_PREFIX) + TOKEN_MAX_BYTES)

/* Stores `params` for app, for PAR_TTL_S, and writes the request_uri
 * into out. A public app's pushes count against their address `addr`.
 * Returns 0, ERR_TOOBIG (params too long), ERR_THROTTLED (with
 * *retry_after_s) or ERR_STORE. */
int	par_push(struct keygate *kg, const struct app_row *app,
	    const char *addr, struct str params, char out[PAR_URI_MAX_BYTES],
	    int64_t *retry_after_s);

/* The pushed request of request_uri, unused and unexpired now. Returns
 * 0, ERR_NOTFOUND (malformed, unknown, expired or used) or ERR_STORE. */
int	par_find(struct keygate *kg, struct str request_uri,
	    struct par_row *out);

/* Uses request_uri, once, for app_id. Returns 0, ERR_NOTFOUND (used
 * first, expired, another app's) or ERR_STORE. */
int	par_use(struct keygate *kg, struct str request_uri, int64_t app_id);

#endif
