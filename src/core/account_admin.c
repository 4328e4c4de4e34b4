#include "core/account_admin.h"

#include <sodium.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"
#include "core/accounts.h"
#include "core/events.h"
#include "core/notices.h"

int
account_admin_list(struct keygate *kg, const struct store_page *page,
    struct account **rows, size_t *n)
{
	return store_account_list(kg->store, page, rows, n);
}

int
account_admin_counts(struct keygate *kg, int64_t id,
    struct account_counts *out)
{
	struct store_horizon h = { 0 };
	int64_t now = clock_now(kg->clock);

	/* the sessions sessions_alive() would accept */
	h.seen_before = now - SESSION_IDLE_TTL_S;
	h.created_before = now - SESSION_MAX_TTL_S;
	return store_account_counts(kg->store, id, &h, out);
}

/* The operator's commands record no address (events.h). */
int
account_admin_disable(struct keygate *kg, int64_t id)
{
	struct event_new ev;

	event_make(&ev, kg, EVENT_ACCOUNT_DISABLED, id, NULL);
	return store_account_disable(kg->store, id, clock_now(kg->clock),
	    &ev);
}

int
account_admin_enable(struct keygate *kg, int64_t id)
{
	return store_account_enable(kg->store, id);
}

int
account_admin_delete(struct keygate *kg, int64_t id)
{
	return store_account_delete(kg->store, id);
}

int
account_admin_passwd(struct keygate *kg, int64_t id, struct str password,
    const char **reason)
{
	char hash[SECURE_PWHASH_MAX];
	struct event_new ev;
	int rc;

	if (accounts_check_password(password, reason) != 0)
		return ERR_INVALID;
	if (secure_password_hash(password, hash) != 0)
		return ERR_STORE;
	event_make(&ev, kg, EVENT_PASSWORD_CHANGED, id, NULL);
	rc = store_account_set_password(kg->store, id, hash, NULL, &ev);
	sodium_memzero(hash, sizeof(hash));
	if (rc == 0)
		notices_password_set(kg, id);
	return rc;
}
