#ifndef KEYGATE_CORE_DEVICE_H
#define KEYGATE_CORE_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keygate.h"
#include "core/sealed.h"
#include "base/str.h"

/* OWASP device cookies: a browser that logged in to an account gets a
 * value only this server can make (the account id, the time and a random
 * nonce, sealed under the store's "reveal" key with a context of its own),
 * and log-ins carrying it are spared the per-account throttle, so failures
 * from strangers cannot lock the owner out. Nothing is stored; every node
 * sharing the store accepts every other node's cookies. */

#define DEVICE_COOKIE_BYTES	SEALED_MAX_BYTES	/* NUL included */

/* Writes a device cookie value for account_id, issued at now, into out. */
void	device_cookie_make(const struct keygate *kg, int64_t account_id,
	    int64_t now, char out[DEVICE_COOKIE_BYTES]);
/* True when `value` is a device cookie for account_id issued less than
 * DEVICE_COOKIE_TTL_S before now (or after it: nodes' clocks differ). */
bool	device_cookie_valid(const struct keygate *kg, struct str value,
	    int64_t account_id, int64_t now);

#endif
