#include "core/notices.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/workq.h"
#include "core/account_mail.h"
#include "core/cimd_rules.h"
#include "store/store.h"

static void
sent(int rc, const char *what, int64_t account_id)
{
	if (rc != 0)
		log_msg("warn", "notice of %s for account %lld not sent: %s",
		    what, (long long)account_id, err_name(rc));
}

/* App `api_key` and the account that owns it: whom a notice of the app
 * goes to. */
static int
app_owner(struct keygate *kg, const char *api_key, struct app_row *app,
    struct account *a)
{
	int rc = store_app_get(kg->store, STORE_ANY_ACCOUNT, api_key, app);

	return rc != 0 ? rc : store_account_by_id(kg->store, app->account_id,
	    a);
}

void
notices_new_secret(struct keygate *kg, const char *api_key,
    int64_t keep_s, const char *addr)
{
	struct app_row *app = xmalloc(sizeof(*app));
	struct account *a = xmalloc(sizeof(*a));
	int rc = app_owner(kg, api_key, app, a);

	if (rc == 0)
		rc = account_mail_new_secret(kg, a->email, app->name,
		    app->api_key, keep_s, addr);
	sent(rc, "a new secret", rc == 0 ? a->id : 0);
	sodium_memzero(a, sizeof(*a));
	free(a);
	free(app);
}

void
notices_password_set(struct keygate *kg, int64_t account_id)
{
	struct account *a = xmalloc(sizeof(*a));
	int rc = store_account_by_id(kg->store, account_id, a);

	if (rc == 0)
		rc = account_mail_password_changed(kg, a->email);
	sent(rc, "a new password", account_id);
	sodium_memzero(a, sizeof(*a));
	free(a);
}

void
notices_two_step(struct keygate *kg, int64_t account_id, bool on,
    const char *addr)
{
	struct account *a = xmalloc(sizeof(*a));
	int rc = store_account_by_id(kg->store, account_id, a);

	if (rc == 0)
		rc = account_mail_two_step(kg, a->email, on, addr);
	sent(rc, on ? "two-step log-in on" : "two-step log-in off",
	    account_id);
	sodium_memzero(a, sizeof(*a));
	free(a);
}

/* The reuse notice itself: claimed in the store first, so that of the
 * nodes (and threads) seeing reuses of one app within the gap only one
 * mails. */
static void
reuse_deliver(struct keygate *kg, int64_t app_id, const char *api_key)
{
	struct app_row *app = xmalloc(sizeof(*app));
	struct account *a = xmalloc(sizeof(*a));
	int rc;

	rc = store_app_reuse_notice(kg->store, app_id, clock_now(kg->clock),
	    NOTICE_REUSE_GAP_S);
	if (rc == 0)
		rc = app_owner(kg, api_key, app, a);
	if (rc == 0)
		rc = account_mail_refresh_reuse(kg, a->email, app->name,
		    app->api_key);
	if (rc != ERR_CONFLICT)
		sent(rc, "a refresh token reused", rc == 0 ? a->id : 0);
	sodium_memzero(a, sizeof(*a));
	free(a);
	free(app);
}

/* --- the worker ----------------------------------------------------------- */

/* an item of the queue: one reuse */
struct reuse {
	int64_t	 app_id;
	char	 api_key[APP_API_KEY_MAX_BYTES + 1];
};

struct notices {
	struct keygate	*kg;
	struct workq	*q;
};

static void
run(void *ctx, void *item)
{
	struct notices *n = ctx;
	struct reuse *r = item;

	reuse_deliver(n->kg, r->app_id, r->api_key);
}

struct notices *
notices_start(struct keygate *kg)
{
	struct notices *n = xcalloc(1, sizeof(*n));

	n->kg = kg;
	n->q = workq_start(sizeof(struct reuse), NOTICES_QUEUE_MAX, run, n);
	return n;
}

void
notices_stop(struct notices *n)
{
	if (n == NULL)
		return;
	workq_stop(n->q);
	free(n);
}

void
notices_refresh_reuse(struct keygate *kg, int64_t app_id,
    const char *api_key)
{
	/* zeroed so that no stack bytes past the key are copied */
	struct reuse r = { 0 };

	/* a client metadata document's app (docs/REFERENCE.md §22.2) has no
	 * developer to tell: its owner account has no mailbox */
	if (cimd_is_url(str_from(api_key)))
		return;
	if (kg->notices == NULL) {
		reuse_deliver(kg, app_id, api_key);
		return;
	}
	r.app_id = app_id;
	snprintf(r.api_key, sizeof(r.api_key), "%s", api_key);
	if (workq_submit(kg->notices->q, &r) != 0)
		log_msg("warn", "notice of a refresh token reused dropped: %d "
		    "waiting already", NOTICES_QUEUE_MAX);
}
