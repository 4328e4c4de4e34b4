#ifndef KEYGATE_CORE_THROTTLE_H
#define KEYGATE_CORE_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/secure.h"
#include "base/str.h"
#include "store/store.h"

/* Fixed-window event counters keyed by short strings ("login-acct:<email>",
 * "login-addr:<ip>"). Thread-safe.
 *
 * Over a SQLite store (one process) they live in memory. Over a store that
 * other processes share (PostgreSQL) every count goes to the store, so all
 * nodes count together, and memory keeps each key's last known count:
 * throttle_check() reads only that, so a path that counts only failures
 * (client authentication) costs no round trip when it succeeds.
 *
 * Two ways to use them, one per kind of caller:
 * - throttle_take() before the work, throttle_give_back() or
 *   throttle_clear() after it: passwords (a guess must never be checked
 *   past the limit, however many run at once) and rates of things made
 *   (sign-ups, personal tokens);
 * - throttle_check() before, throttle_hit() on failure only: 256-bit
 *   credentials (client secrets, bearer personal tokens), where the limit
 *   guards against load rather than guessing and a success must stay
 *   cheap. Parallel failures may pass it by the number of threads.
 *
 * Keys are kept as keyed hashes (SipHash in memory, BLAKE2b under a key
 * from the store in the store), so no client string is kept and a client
 * cannot aim for collisions. */
struct throttle;

/* shared: the store to count in, or NULL to count in memory alone; key:
 * the store's key for hashing counter keys (ignored when shared is NULL). */
struct throttle	*throttle_new(struct store *shared,
		    const unsigned char key[SECURE_KEY_BYTES]);
void		 throttle_free(struct throttle *t);

/* One event counted by throttle_take(), to keep or give back. */
struct throttle_ticket {
	uint64_t	 h;
	unsigned char	 key[STORE_THROTTLE_KEY_BYTES];
	int64_t		 window_end;
	bool		 held;
};

#define THROTTLE_ADDR_BYTES	64	/* NUL included */

/* The unit a client address is counted by, into out: an IPv6 address's
 * /64 network ("2001:db8:1:2::/64"), an IPv4-mapped one's IPv4 address,
 * else the address as it is. */
void	throttle_addr(const char *addr, char out[THROTTLE_ADDR_BYTES]);

/* Returns 0 when fewer than `limit` events are known for `key` in the
 * current window, else ERR_THROTTLED with *retry_after_s set to the seconds
 * until the window ends. Reads memory only (see above). */
int	throttle_check(struct throttle *t, struct str key, int64_t limit,
	    int64_t now, int64_t *retry_after_s);
/* Check and count in one step: counts one event for `key` (a window of
 * window_s seconds) and returns 0 if that makes at most `limit`, filling
 * *tk; else counts nothing and returns ERR_THROTTLED with *retry_after_s
 * set. ERR_STORE when the shared store fails (nothing counted). */
int	throttle_take(struct throttle *t, struct str key, int64_t limit,
	    int64_t window_s, int64_t now, int64_t *retry_after_s,
	    struct throttle_ticket *tk);
/* Uncounts a ticket's event (if its window still runs); a ticket not
 * held is ignored. */
void	throttle_give_back(struct throttle *t, struct throttle_ticket *tk);
/* Counts one event for `key` in a window of `window_s` seconds. */
void	throttle_hit(struct throttle *t, struct str key, int64_t window_s,
	    int64_t now);
/* Forgets `key` (a successful log-in clears the account's failures). */
void	throttle_clear(struct throttle *t, struct str key);

#endif
