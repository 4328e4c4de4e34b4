#ifndef KEYGATE_CORE_THROTTLE_H
#define KEYGATE_CORE_THROTTLE_H

#include <stdint.h>

#include "core/str.h"

/* Fixed-window event counters keyed by short strings ("login-acct:<email>",
 * "login-addr:<ip>"). In memory, per process: each keygate node throttles on
 * its own. Keys are kept as keyed SipHash values, so the table holds no
 * client strings and a client cannot aim for collisions. Thread-safe. */
struct throttle;

struct throttle	*throttle_new(void);
void		 throttle_free(struct throttle *t);

/* Returns 0 when fewer than `limit` events were counted for `key` in the
 * current window, else ERR_THROTTLED with *retry_after_s set to the seconds
 * until the window ends. */
int	throttle_check(struct throttle *t, struct str key, int64_t limit,
	    int64_t now, int64_t *retry_after_s);
/* Counts one event for `key` in a window of `window_s` seconds. */
void	throttle_hit(struct throttle *t, struct str key, int64_t window_s,
	    int64_t now);
/* Forgets `key` (a successful log-in clears the account's failures). */
void	throttle_clear(struct throttle *t, struct str key);

#endif
