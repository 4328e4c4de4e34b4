#ifndef KEYGATE_CORE_SESSIONS_H
#define KEYGATE_CORE_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keygate.h"
#include "base/str.h"

/* Browser sessions: a random cookie value; the store keeps only its hash. */

#define SESSION_TOKEN_PREFIX	"kg_ss_"

/* True while a session created at `created` and last seen at `last_seen` is
 * alive at `now`: SESSION_IDLE_TTL_S idle, SESSION_MAX_TTL_S in all. */
bool	sessions_alive(int64_t created, int64_t last_seen, int64_t now);

/* Starts a session for `account_id`; token receives the cookie value. */
int	sessions_start(struct keygate *kg, int64_t account_id,
	    char token[TOKEN_MAX_BYTES + 1]);

/* Resolves a cookie value to its account. Returns 0, ERR_NOTFOUND for an
 * unknown, malformed or ended session (an ended one is deleted), or
 * ERR_STORE. Records activity at most every SESSION_TOUCH_INTERVAL_S. */
int	sessions_resolve(struct keygate *kg, struct str token,
	    int64_t *account_id);

/* Ends the session (log-out). Unknown tokens are fine. */
int	sessions_end(struct keygate *kg, struct str token);

#endif
