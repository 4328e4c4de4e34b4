#ifndef KEYGATE_CORE_TOTP_PENDING_H
#define KEYGATE_CORE_TOTP_PENDING_H

#include <stdint.h>

#include "core/keygate.h"
#include "core/sealed.h"
#include "base/str.h"

/* A log-in half done: the password was right, the account has two-step
 * log-in on, and its code is still to come. That state is no session: it
 * is a proof of the password step sealed under kg->totp_key into a hidden
 * field, bound to `context` (the browser's CSRF token and whatever else
 * the caller's form is about), good for TOTP_PENDING_TTL_S, and single
 * use: its random nonce is recorded (hashed, with its expiry, among the
 * one-time records of core/reveal.c, which `keygate gc` clears) and taken
 * out of the store when the code is accepted (totp_pending_answer()). */

struct totp_pending {
	int64_t	 account_id;
	int64_t	 issued_at;
	char	 nonce[TOKEN_MAX_BYTES + 1];
};

/* Records a new proof for account_id and seals it into out. Returns 0 or
 * ERR_STORE. */
int	totp_pending_begin(struct keygate *kg, struct str context,
	    int64_t account_id, char out[SEALED_MAX_BYTES]);

/* Opens a proof for the same context into *out, without using it up (a
 * wrong code may be followed by a right one). Returns 0, ERR_EXPIRED
 * past TOTP_PENDING_TTL_S, or ERR_AUTH for anything forged, altered or
 * bound to something else. */
int	totp_pending_open(struct keygate *kg, struct str context,
	    struct str sealed, struct totp_pending *out);

/* The second step for an opened proof, from client address `addr`: the
 * code is checked (totp_check()) and, when right, the proof is used up.
 * Returns 0 (the log-in of p->account_id is complete), ERR_AUTH (a wrong
 * code: the same proof may be answered again), ERR_THROTTLED
 * (*retry_after_s set), ERR_EXPIRED (the proof was used before or ran
 * out: the log-in starts over), or ERR_STORE. */
int	totp_pending_answer(struct keygate *kg, const struct totp_pending *p,
	    const char *addr, struct str code, int64_t *retry_after_s);

#endif
