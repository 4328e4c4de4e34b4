#ifndef KEYGATE_CORE_CLIENTS_H
#define KEYGATE_CORE_CLIENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keygate.h"
#include "base/str.h"
#include "store/store.h"

/* OAuth client authentication (RFC 6749 §2.3): an app with a secret must
 * present it (or its old secret, while a rotation keeps that valid:
 * docs/REFERENCE.md §16; a use is recorded at most once a minute per
 * secret); an app without one is a public client and must present none.
 * The client of an app whose owner is disabled never authenticates.
 * Failures are throttled per client and per address. Returns 0 (app's id,
 * api_key, has_secret and secret_hash filled; its other fields may be
 * empty), ERR_AUTH, ERR_THROTTLED (retry_after_s set) or ERR_STORE. */
/* The memo (memo.h) kg->clients is made with: 1,024 apps. */
struct memo *clients_memo_new(void);

int	clients_authenticate(struct keygate *kg, const char *addr,
	    struct str client_id, bool secret_given, struct str secret,
	    struct app_row *app, int64_t *retry_after_s);

#endif
