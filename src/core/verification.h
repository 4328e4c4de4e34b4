#ifndef KEYGATE_CORE_VERIFICATION_H
#define KEYGATE_CORE_VERIFICATION_H

#include <stdint.h>

#include "core/accounts.h"
#include "core/keygate.h"
#include "base/str.h"
#include "store/store.h"

/* Proving an email address: the link mailed at sign-up and again on
 * request, a new address on the account page (it becomes the account's
 * only when its link is followed), and --require-verified-email. Links
 * are core/links.h's; both kinds are followed at /verify-email. */

/* Mails the account a link that verifies its address (at sign-up).
 * Returns 0, or an ERR_* code when the link or the mail could not be
 * stored (the account stays; the link can be sent again). */
int	verification_start(struct keygate *kg, const struct account *a);

/* "Send the link again": at most THROTTLE_LINKS_PER_ACCOUNT an hour per
 * account. Returns 0, ERR_CONFLICT when the address is verified already,
 * ERR_THROTTLED (retry_after_s set) or ERR_STORE. */
int	verification_resend(struct keygate *kg, const struct account *a,
	    int64_t *retry_after_s);

/* What a link from /verify-email would do, without using it: 0 (out
 * filled: out->purpose is STORE_LINK_VERIFY or STORE_LINK_EMAIL),
 * ERR_NOTFOUND (malformed, unknown, used or replaced), ERR_EXPIRED or
 * ERR_STORE. */
int	verification_peek(struct keygate *kg, struct str token,
	    struct link_row *out);

/* Follows the link: verifies the address it was sent to, or makes it the
 * account's (the old address is told by mail). Returns peek's codes, or
 * ERR_EXISTS when the new address became another account's meanwhile
 * (the link is used up either way). */
int	verification_confirm(struct keygate *kg, const char *addr,
	    struct str token, struct link_row *out);

/* Asks for `new_email` to become the account's: the current password
 * first (counted as a log-in from `from`), then a link to the new
 * address, or, when it belongs to another account, a mail saying so and
 * no link, the answer being the same. At most
 * THROTTLE_EMAIL_CHANGES_PER_ACCOUNT an hour. Returns 0, ERR_AUTH (wrong
 * password), ERR_INVALID (*reason set), ERR_THROTTLED (retry_after_s),
 * or ERR_STORE. */
int	verification_change_email(struct keygate *kg,
	    const struct login_origin *from, const struct account *a,
	    struct str password, struct str new_email, const char **reason,
	    int64_t *retry_after_s);

/* With --require-verified-email: ERR_FORBIDDEN unless the account's
 * address is verified (creating apps, generating secrets and granting
 * access call it). 0 without the setting, ERR_STORE. */
int	verification_required(struct keygate *kg, int64_t account_id);

#endif
