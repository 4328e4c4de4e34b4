#include "core/recovery.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/account_mail.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/events.h"
#include "core/links.h"
#include "core/resets.h"
#include "core/throttle.h"

/* The two counts of a reset request; a request refused by the second
 * takes back the first. */
static int
forgot_take(struct keygate *kg, const char *addr, const char *norm,
    int64_t *retry_after_s)
{
	char unit[THROTTLE_ADDR_BYTES], akey[96];
	char ekey[ACCOUNT_EMAIL_MAX_BYTES + 16];
	struct throttle_ticket tk[2];
	int64_t now = clock_now(kg->clock);
	int rc;

	throttle_addr(addr, unit);
	snprintf(akey, sizeof(akey), "reset-addr:%s", unit);
	snprintf(ekey, sizeof(ekey), "reset-email:%s", norm);
	rc = throttle_take(kg->throttle, str_from(akey),
	    THROTTLE_RESETS_PER_ADDRESS, THROTTLE_LINKS_WINDOW_S, now,
	    retry_after_s, &tk[0]);
	if (rc != 0)
		return rc;
	rc = throttle_take(kg->throttle, str_from(ekey),
	    THROTTLE_RESETS_PER_EMAIL, THROTTLE_LINKS_WINDOW_S, now,
	    retry_after_s, &tk[1]);
	if (rc != 0)
		throttle_give_back(kg->throttle, &tk[0]);
	return rc;
}

int
recovery_forgot(struct keygate *kg, const char *addr, struct str email,
    char norm[ACCOUNT_EMAIL_MAX_BYTES + 1], const char **reason,
    int64_t *retry_after_s)
{
	if (accounts_normalize_email(email, norm, reason) != 0)
		return ERR_INVALID;
	return forgot_take(kg, addr, norm, retry_after_s);
}

void
recovery_forgot_submit(struct keygate *kg, const char *norm)
{
	if (kg->resets == NULL)
		recovery_forgot_deliver(kg, norm);
	else if (!resets_submit(kg->resets, norm))
		log_msg("warn", "password reset request dropped: %d waiting "
		    "already", RESETS_QUEUE_MAX);
}

void
recovery_forgot_deliver(struct keygate *kg, const char *email)
{
	char token[TOKEN_MAX_BYTES + 1];
	struct account *a = xmalloc(sizeof(*a));
	int rc = store_account_by_email(kg->store, email, a);

	if (rc == 0 && (rc = links_make(kg, a->id, STORE_LINK_RESET, a->email,
	    token)) == 0)
		rc = account_mail_reset(kg, a->email, token);
	if (rc != 0 && rc != ERR_NOTFOUND)
		log_msg("warn", "password reset link not sent: %s",
		    err_name(rc));
	sodium_memzero(token, sizeof(token));
	sodium_memzero(a, sizeof(*a));
	free(a);
}

int
recovery_reset_peek(struct keygate *kg, struct str token)
{
	struct link_row link;

	return links_peek(kg, token, STORE_LINK_RESET, &link);
}

/* Sets a checked password's hash; `keep` as store_account_set_password(),
 * its event asked from addr `via` a reset link or the account page.
 * Then the notice, whose failure is only logged: the password is set. */
static int
set_password(struct keygate *kg, int64_t account_id, const char *email,
    struct str password, const unsigned char *keep, const char *addr,
    const char *via)
{
	char hash[SECURE_PWHASH_MAX];
	struct event_new ev;
	int rc;

	if (secure_password_hash(password, hash) != 0)
		return ERR_STORE;
	event_make(&ev, kg, EVENT_PASSWORD_CHANGED, account_id, addr);
	event_detail_str(&ev, "via", via);
	rc = store_account_set_password(kg->store, account_id, hash, keep,
	    &ev);
	sodium_memzero(hash, sizeof(hash));
	if (rc == 0 && account_mail_password_changed(kg, email) != 0)
		log_msg("warn", "notice of a new password for account %lld "
		    "not sent", (long long)account_id);
	return rc;
}

int
recovery_reset(struct keygate *kg, const char *addr, struct str token,
    struct str password, const char **reason)
{
	struct link_row link;
	struct account *a;
	int rc;

	*reason = NULL;
	if (accounts_check_password(password, reason) != 0)
		return ERR_INVALID;
	if ((rc = links_take(kg, token, STORE_LINK_RESET, &link)) != 0)
		return rc;
	a = xmalloc(sizeof(*a));
	rc = store_account_by_id(kg->store, link.account_id, a);
	if (rc == 0)
		rc = set_password(kg, a->id, a->email, password, NULL, addr,
		    "reset_link");
	sodium_memzero(a, sizeof(*a));
	free(a);
	return rc;
}

int
recovery_change_password(struct keygate *kg,
    const struct login_origin *from, const struct account *a,
    struct str current, struct str password, struct str keep,
    const char **reason, int64_t *retry_after_s)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct account *who;
	int rc;

	*reason = NULL;
	if (accounts_check_password(password, reason) != 0)
		return ERR_INVALID;
	who = xmalloc(sizeof(*who));
	rc = accounts_login(kg, from, str_from(a->email), current, who,
	    retry_after_s);
	sodium_memzero(who, sizeof(*who));
	free(who);
	if (rc != 0)
		return rc;
	if (keep.len == 0)
		return set_password(kg, a->id, a->email, password, NULL,
		    from->addr, "account_page");
	secure_hash(keep, hash);
	return set_password(kg, a->id, a->email, password, hash, from->addr,
	    "account_page");
}
