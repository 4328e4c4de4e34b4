#ifndef KEYGATE_CORE_ACCOUNTS_H
#define KEYGATE_CORE_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keygate.h"
#include "base/str.h"
#include "store/store.h"

/* Why a sign-up's fields were refused; NULL where the field is fine. */
struct signup_errors {
	const char	*email;
	const char	*password;
};

/* Trims, lower-cases (ASCII) and validates an email address into out.
 * Returns 0, or ERR_INVALID with *reason set to a sentence for the user. */
int	accounts_normalize_email(struct str in,
	    char out[ACCOUNT_EMAIL_MAX_BYTES + 1], const char **reason);
/* Returns 0, or ERR_INVALID with *reason: at least
 * ACCOUNT_PASSWORD_MIN_CHARS characters, at most ACCOUNT_PASSWORD_MAX_BYTES
 * bytes, valid UTF-8. */
int	accounts_check_password(struct str password, const char **reason);

/* Creates an account for a visitor at client address `addr`. Returns 0 (out
 * filled), ERR_FORBIDDEN when sign-up is off, ERR_THROTTLED (retry_after_s
 * set) past --signup-rate, ERR_INVALID (errs filled), ERR_EXISTS for a taken
 * email, or ERR_STORE. */
int	accounts_signup(struct keygate *kg, const char *addr, struct str email,
	    struct str password, struct account *out,
	    struct signup_errors *errs, int64_t *retry_after_s);

/* The operator's path (`keygate account add`): no sign-up switch, no rate. */
int	accounts_add(struct keygate *kg, struct str email, struct str password,
	    struct account *out, struct signup_errors *errs);

/* The account that owns the clients registered without a token
 * (core/registration.h): a reserved address (RFC 2606's .invalid) no
 * sign-up may take, with no password. */
#define ACCOUNT_OPEN_REGISTRATION_EMAIL	"open-registration@keygate.invalid"
/* keygate's own accounts (that one, the owner of the client metadata
 * documents' apps) live at this domain, which no person may take: one
 * who did would own every app of theirs. */
#define ACCOUNT_RESERVED_DOMAIN		"@keygate.invalid"

/* True for a normalized address at ACCOUNT_RESERVED_DOMAIN. */
bool	accounts_email_reserved(const char *norm);

/* What a log-in with the right password of a disabled account is told,
 * on every surface. */
#define ACCOUNTS_DISABLED	"This account is disabled. Ask the operator " \
	"of this service to enable it again."

/* Where a log-in attempt comes from. */
struct login_origin {
	const char	*addr;		/* client address (http/client_addr.h) */
	bool		 browser;	/* could carry a device cookie */
	struct str	 device;	/* its device cookie (device.h), or empty */
};

/* Checks an email and password. Returns 0 (out filled), ERR_AUTH for any
 * wrong pair (unknown email or wrong password, indistinguishable),
 * ERR_FORBIDDEN for the right password of a disabled account (keygate
 * account disable: say so, it is told only to whoever knows the password),
 * ERR_THROTTLED (retry_after_s set) past a limit of limits.h THROTTLE_*:
 * per address and per (account, address) for everyone, per account too for
 * a browser without the account's device cookie; or ERR_STORE. The attempt
 * is counted before the password is verified. */
int	accounts_login(struct keygate *kg, const struct login_origin *from,
	    struct str email, struct str password, struct account *out,
	    int64_t *retry_after_s);

int	accounts_get(struct keygate *kg, int64_t id, struct account *out);
/* The memo (memo.h) kg->accounts is made with: 4,096 accounts. */
struct memo *accounts_memo_new(void);
/* The e-mail address of account id, from memory when it was read under
 * the store's current revision, which a change of address moves (the
 * API's bearer calls). */
int	accounts_email(struct keygate *kg, int64_t id,
	    char email[ACCOUNT_EMAIL_MAX_BYTES + 1]);
/* The same, with whether the address is verified (userinfo and the
 * id_token, docs/REFERENCE.md §14; confirming moves the revision too). */
int	accounts_email_verified(struct keygate *kg, int64_t id,
	    char email[ACCOUNT_EMAIL_MAX_BYTES + 1], bool *verified);

/* Finds an account by email (normalized first). ERR_NOTFOUND if none. */
int	accounts_find(struct keygate *kg, struct str email,
	    struct account *out);

#endif
