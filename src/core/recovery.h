#ifndef KEYGATE_CORE_RECOVERY_H
#define KEYGATE_CORE_RECOVERY_H

#include <stdint.h>

#include "core/accounts.h"
#include "core/keygate.h"
#include "base/str.h"
#include "store/store.h"

/* Passwords: forgotten (a link mailed to the address, /password/reset)
 * and changed on the account page. Setting a password ends the account's
 * browser sessions (all of them after a reset, all but the one making the
 * change on the account page) and its other reset links, and mails a
 * notice; personal access tokens and grants stay. */

/* "Forgot password" from client address `addr`: the address normalized
 * into `norm` and counted per address and per email (THROTTLE_RESETS_*).
 * Returns 0, ERR_INVALID (*reason set: not an email address) or
 * ERR_THROTTLED (retry_after_s set). On 0 the caller answers, the same
 * whether or not an account has the address, and only then calls
 * recovery_forgot_submit(): neither the answer nor its time tells. */
int	recovery_forgot(struct keygate *kg, const char *addr,
	    struct str email, char norm[ACCOUNT_EMAIL_MAX_BYTES + 1],
	    const char **reason, int64_t *retry_after_s);

/* Hands `norm` to the reset worker (core/resets.h), which looks it up and
 * mails a link when an account has it; a full queue drops it, logged. */
void	recovery_forgot_submit(struct keygate *kg, const char *norm);

/* The worker's half: the link and its mail, if `email` (normalized) is an
 * account's. Logs what fails; the asker never hears of it. */
void	recovery_forgot_deliver(struct keygate *kg, const char *email);

/* Whether `token` is a live reset link (the page that asks for the new
 * password). 0, ERR_NOTFOUND, ERR_EXPIRED or ERR_STORE. */
int	recovery_reset_peek(struct keygate *kg, struct str token);

/* Sets the password through reset link `token`: the password's rules
 * first (ERR_INVALID, *reason set; the link stays), then the link is used
 * up, the password set, every session ended and a notice mailed. Returns
 * 0, ERR_INVALID, ERR_NOTFOUND, ERR_EXPIRED or ERR_STORE. */
int	recovery_reset(struct keygate *kg, const char *addr,
	    struct str token, struct str password, const char **reason);

/* The account page's change: `current` checked as a log-in from `from`
 * (ERR_AUTH, ERR_THROTTLED), `password` by the sign-up rules (ERR_INVALID,
 * *reason), then set; every session but the one of cookie `keep` ends. */
int	recovery_change_password(struct keygate *kg,
	    const struct login_origin *from, const struct account *a,
	    struct str current, struct str password, struct str keep,
	    const char **reason, int64_t *retry_after_s);

#endif
