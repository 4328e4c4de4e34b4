#ifndef KEYGATE_CORE_TOTP_H
#define KEYGATE_CORE_TOTP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keygate.h"
#include "core/otp.h"
#include "core/sealed.h"
#include "base/str.h"

/* Two-step log-in of an account (docs/REFERENCE.md, "Two-step log-in"):
 * turning it on with a first code, the second step of every log-in (a
 * code from the app, once, or a recovery code, once), turning it off.
 *
 * The secret is kept sealed under the server key "totp" (kg->totp_key,
 * shared by every node), bound to its account, because a code can only be
 * checked by whoever can read it. Recovery codes are kept as SHA-256
 * hashes. Wrong answers are counted like passwords (limits.h
 * THROTTLE_FAILS_PER_ACCOUNT and _PER_ADDRESS), under keys of their own
 * that a right password does not clear. */

/* a recovery code as shown: four groups of four, dashes between, NUL */
#define TOTP_RECOVERY_TEXT_BYTES	(TOTP_RECOVERY_CHARS + \
	TOTP_RECOVERY_CHARS / 4)

/* An enrolment under way: the secret (to show, base32) and the same
 * sealed with its expiry, bound to the account and the browser, for the
 * form that confirms it. Nothing is stored until it is confirmed. */
struct totp_enrolment {
	char	 secret[OTP_SECRET_B32_BYTES];
	char	 sealed[SEALED_MAX_BYTES];
};

/* Starts an enrolment for account_id, bound to `binding` (the session's
 * CSRF token): a fresh secret, good for TOTP_ENROL_TTL_S. Returns 0 or
 * ERR_STORE. */
int	totp_enrol_begin(struct keygate *kg, int64_t account_id,
	    struct str binding, struct totp_enrolment *out);

/* Opens an enrolment sealed by totp_enrol_begin() for the same account
 * and binding into *out. Returns 0, ERR_EXPIRED past TOTP_ENROL_TTL_S, or
 * ERR_AUTH for anything forged, altered or bound to something else. */
int	totp_enrol_open(struct keygate *kg, int64_t account_id,
	    struct str binding, struct str sealed, struct totp_enrolment *out);

/* Confirms enrolment e with the first code from the app (from client
 * address `addr`): turns two-step log-in on, that code's step counting as
 * used, and writes the TOTP_RECOVERY_CODES recovery codes into codes: the
 * only time they exist outside their hashes; the account is told by mail
 * (notices.h). Returns 0, ERR_AUTH for a
 * wrong code, ERR_THROTTLED (*retry_after_s set), ERR_EXISTS when it is on
 * already (nothing changed), or ERR_STORE. */
int	totp_enrol_finish(struct keygate *kg, int64_t account_id,
	    const char *addr, const struct totp_enrolment *e, struct str code,
	    char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES],
	    int64_t *retry_after_s);

/* Whether two-step log-in is on, since when, and how many recovery codes
 * are left. */
struct totp_status {
	bool	 on;
	int64_t	 enabled_at;
	size_t	 recovery_left;
};
int	totp_status(struct keygate *kg, int64_t account_id,
	    struct totp_status *out);

/* Just whether it is on: 0 with *on set, or ERR_STORE. */
int	totp_enabled(struct keygate *kg, int64_t account_id, bool *on);

/* The second step of a log-in whose password was right, from client
 * address `addr`: `code` is a code from the app (TOTP_DIGITS digits, spaces
 * ignored), accepted once and only within TOTP_DRIFT_STEPS steps of now,
 * or an unused recovery code (dashes, spaces and case ignored), used up.
 * Returns 0, ERR_AUTH (wrong, replayed, or two-step is off; recorded as
 * a login_failed event, events.h), ERR_THROTTLED (*retry_after_s set) or
 * ERR_STORE. */
int	totp_check(struct keygate *kg, int64_t account_id, const char *addr,
	    struct str code, int64_t *retry_after_s);

/* Turns two-step log-in off for account_id and deletes its secret and
 * recovery codes, whatever proof was given: the caller has checked it
 * (the account page: the password and a code), or is the operator
 * (`keygate account reset-2fa`, addr NULL); the account is told by mail
 * (notices.h). Returns 0, ERR_NOTFOUND when it was off,
 * or ERR_STORE. */
int	totp_reset(struct keygate *kg, int64_t account_id, const char *addr);

#endif
