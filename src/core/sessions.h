#ifndef KEYGATE_CORE_SESSIONS_H
#define KEYGATE_CORE_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keygate.h"
#include "base/str.h"
#include "store/store.h"

/* Browser sessions: a random cookie value; the store keeps only its hash. */

#define SESSION_TOKEN_PREFIX	"kg_ss_"

/* True while a session created at `created` and last seen at `last_seen` is
 * alive at `now`: SESSION_IDLE_TTL_S idle, SESSION_MAX_TTL_S in all. */
bool	sessions_alive(int64_t created, int64_t last_seen, int64_t now);

/* Starts a session for `account_id`, logged in now by `amr` (AMR_*),
 * begun at client address `addr` by a browser sending `user_agent` (kept
 * cut short and made printable, for the account page); token receives
 * the cookie value. */
int	sessions_start(struct keygate *kg, int64_t account_id, unsigned amr,
	    const char *addr, struct str user_agent,
	    char token[TOKEN_MAX_BYTES + 1]);

/* Resolves a cookie value to its session: out gets its account, its
 * times and its log-in (auth_time, amr). Returns 0, ERR_NOTFOUND for an
 * unknown, malformed or ended session (an ended one is deleted), or
 * ERR_STORE. Records activity at most every SESSION_TOUCH_INTERVAL_S. */
int	sessions_resolve(struct keygate *kg, struct str token,
	    struct session_row *out);

/* A fresh password entry (and code, per amr) inside the live session of
 * cookie `token`: its auth_time becomes now, what OpenID Connect's
 * prompt=login and max_age ask for. Returns 0, ERR_NOTFOUND or
 * ERR_STORE. */
int	sessions_reauth(struct keygate *kg, struct str token, unsigned amr);

/* Ends the session (log-out). Unknown tokens are fine. */
int	sessions_end(struct keygate *kg, struct str token);

/* A session as the account page names it: the hex of its hash (never the
 * cookie, which the store does not have), SESSION_ID_CHARS long. */
#define SESSION_ID_CHARS	(2 * SECURE_HASH_BYTES)
void	sessions_id(const struct session_row *row,
	    char out[SESSION_ID_CHARS + 1]);

/* Whether `row` is the session of cookie value `token`. */
bool	sessions_is(const struct session_row *row, struct str token);

/* The account's live sessions, most recently seen first, into a
 * malloc'd *rows (free() it). */
int	sessions_list(struct keygate *kg, int64_t account_id,
	    struct session_row **rows, size_t *n);

/* Ends the account's session named `id` (sessions_id()); ERR_NOTFOUND
 * for a malformed id or one that is not the account's. Its
 * session_ended event (events.h), asked from addr, says whether it was
 * the asker's own, the session of cookie `current`. */
int	sessions_end_id(struct keygate *kg, int64_t account_id,
	    const char *addr, struct str id, struct str current);

/* Ends every session of the account but the one of cookie `keep` (an
 * empty slice: every one); session_ended is recorded when one ended. */
int	sessions_end_others(struct keygate *kg, int64_t account_id,
	    const char *addr, struct str keep);

/* The text a session keeps of `in` (an address or a User-Agent): at most
 * `max` bytes, cut on a character's boundary, with control characters and
 * bytes that are not UTF-8 replaced by '?'. out holds max + 1 bytes. */
void	sessions_clean(struct str in, char *out, size_t max);

#endif
