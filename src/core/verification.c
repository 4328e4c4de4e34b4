#include "core/verification.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account_mail.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/events.h"
#include "core/links.h"
#include "core/throttle.h"

int
verification_start(struct keygate *kg, const struct account *a)
{
	char token[TOKEN_MAX_BYTES + 1];
	int rc;

	rc = links_make(kg, a->id, STORE_LINK_VERIFY, a->email, token);
	if (rc == 0)
		rc = account_mail_verify(kg, a->email, token);
	sodium_memzero(token, sizeof(token));
	if (rc != 0)
		log_msg("warn", "verification link for account %lld not "
		    "sent: %s", (long long)a->id, err_name(rc));
	return rc;
}

/* Takes one event of the account's count `what` (THROTTLE_LINKS_WINDOW_S):
 * every request counts, sent or not, as for sign-ups. */
static int
take(struct keygate *kg, const char *what, int64_t account_id, int64_t limit,
    int64_t *retry_after_s)
{
	struct throttle_ticket tk;
	char key[64];

	snprintf(key, sizeof(key), "%s:%lld", what, (long long)account_id);
	return throttle_take(kg->throttle, str_from(key), limit,
	    THROTTLE_LINKS_WINDOW_S, clock_now(kg->clock), retry_after_s, &tk);
}

int
verification_resend(struct keygate *kg, const struct account *a,
    int64_t *retry_after_s)
{
	int rc;

	if (a->email_verified)
		return ERR_CONFLICT;
	if ((rc = take(kg, "verify-send", a->id, THROTTLE_LINKS_PER_ACCOUNT,
	    retry_after_s)) != 0)
		return rc;
	return verification_start(kg, a);
}

/* The purpose of a /verify-email token: one of the two it takes. */
static int
purpose_of(struct str token)
{
	int p = links_purpose(token);

	return p == STORE_LINK_VERIFY || p == STORE_LINK_EMAIL ? p : 0;
}

int
verification_peek(struct keygate *kg, struct str token, struct link_row *out)
{
	int p = purpose_of(token);

	return p == 0 ? ERR_NOTFOUND : links_peek(kg, token, p, out);
}

/* The new address becomes the account's; the old one hears of it. */
static int
move_address(struct keygate *kg, const char *addr,
    const struct link_row *link)
{
	struct account *a = xmalloc(sizeof(*a));
	struct event_new ev;
	int rc;

	event_make(&ev, kg, EVENT_EMAIL_CHANGED, link->account_id, addr);
	rc = store_account_by_id(kg->store, link->account_id, a);
	if (rc == 0)
		rc = store_account_set_email(kg->store, link->account_id,
		    link->email, &ev);
	if (rc == 0 && strcmp(a->email, link->email) != 0 &&
	    account_mail_email_changed(kg, a->email, link->email) != 0)
		log_msg("warn", "notice of a new address for account %lld "
		    "not sent", (long long)link->account_id);
	sodium_memzero(a, sizeof(*a));
	free(a);
	return rc;
}

int
verification_confirm(struct keygate *kg, const char *addr,
    struct str token, struct link_row *out)
{
	int p = purpose_of(token), rc;

	if (p == 0)
		return ERR_NOTFOUND;
	if ((rc = links_take(kg, token, p, out)) != 0)
		return rc;
	if (p == STORE_LINK_EMAIL)
		return move_address(kg, addr, out);
	/* A link to an address the account no longer has verifies
	 * nothing. */
	return store_account_verify(kg->store, out->account_id, out->email);
}

/* The new address, checked: valid, not the current one. */
static int
new_address(const struct account *a, struct str new_email,
    char norm[ACCOUNT_EMAIL_MAX_BYTES + 1], const char **reason)
{
	if (accounts_normalize_email(new_email, norm, reason) != 0)
		return ERR_INVALID;
	if (strcmp(norm, a->email) == 0) {
		*reason = "This is already your email address.";
		return ERR_INVALID;
	}
	if (accounts_email_reserved(norm)) {
		*reason = "This address is reserved.";
		return ERR_INVALID;
	}
	return 0;
}

/* A link to the new address, or word that it is taken: the answer to
 * the one who asked is the same either way. */
static int
offer_address(struct keygate *kg, const struct account *a, const char *norm)
{
	char token[TOKEN_MAX_BYTES + 1];
	struct account *other = xmalloc(sizeof(*other));
	int rc = store_account_by_email(kg->store, norm, other);

	if (rc == 0)
		rc = account_mail_address_taken(kg, norm);
	else if (rc == ERR_NOTFOUND &&
	    (rc = links_make(kg, a->id, STORE_LINK_EMAIL, norm, token)) == 0)
		rc = account_mail_new_address(kg, norm, token);
	sodium_memzero(token, sizeof(token));
	sodium_memzero(other, sizeof(*other));
	free(other);
	return rc;
}

int
verification_change_email(struct keygate *kg,
    const struct login_origin *from, const struct account *a,
    struct str password, struct str new_email, const char **reason,
    int64_t *retry_after_s)
{
	char norm[ACCOUNT_EMAIL_MAX_BYTES + 1];
	struct account *who = xmalloc(sizeof(*who));
	int rc;

	*reason = NULL;
	rc = new_address(a, new_email, norm, reason);
	if (rc == 0)
		rc = accounts_login(kg, from, str_from(a->email), password,
		    who, retry_after_s);
	if (rc == 0)
		rc = take(kg, "email-change", a->id,
		    THROTTLE_EMAIL_CHANGES_PER_ACCOUNT, retry_after_s);
	if (rc == 0)
		rc = offer_address(kg, a, norm);
	sodium_memzero(who, sizeof(*who));
	free(who);
	return rc;
}

int
verification_required(struct keygate *kg, int64_t account_id)
{
	struct account *a;
	int rc;

	if (!kg->cfg->require_verified_email ||
	    account_id == STORE_ANY_ACCOUNT)
		return 0;
	a = xmalloc(sizeof(*a));
	rc = store_account_by_id(kg->store, account_id, a);
	if (rc == 0 && !a->email_verified)
		rc = ERR_FORBIDDEN;
	sodium_memzero(a, sizeof(*a));
	free(a);
	return rc;
}
