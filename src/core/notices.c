#include "core/notices.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/account_mail.h"
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
    const char *addr)
{
	struct app_row *app = xmalloc(sizeof(*app));
	struct account *a = xmalloc(sizeof(*a));
	int rc = app_owner(kg, api_key, app, a);

	if (rc == 0)
		rc = account_mail_new_secret(kg, a->email, app->name,
		    app->api_key, addr);
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

struct reuse {
	int64_t	 app_id;
	char	 api_key[APP_API_KEY_MAX_BYTES + 1];
};

struct notices {
	struct keygate	*kg;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	bool		 stopping;
	/* a ring of n reuses from head */
	size_t		 head, n;
	struct reuse	 ring[NOTICES_QUEUE_MAX];
};

static void *
work(void *arg)
{
	struct notices *n = arg;
	struct reuse r;

	pthread_mutex_lock(&n->lock);
	for (;;) {
		while (n->n == 0 && !n->stopping)
			pthread_cond_wait(&n->wake, &n->lock);
		if (n->n == 0)
			break;
		r = n->ring[n->head];
		n->head = (n->head + 1) % NOTICES_QUEUE_MAX;
		n->n--;
		pthread_mutex_unlock(&n->lock);
		reuse_deliver(n->kg, r.app_id, r.api_key);
		pthread_mutex_lock(&n->lock);
	}
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

struct notices *
notices_start(struct keygate *kg)
{
	struct notices *n = xcalloc(1, sizeof(*n));

	n->kg = kg;
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->wake, NULL);
	if (pthread_create(&n->thread, NULL, work, n) != 0)
		abort();
	return n;
}

void
notices_stop(struct notices *n)
{
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	n->stopping = true;
	pthread_cond_signal(&n->wake);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->wake);
	free(n);
}

void
notices_refresh_reuse(struct keygate *kg, int64_t app_id,
    const char *api_key)
{
	struct notices *n = kg->notices;
	bool queued = false;

	if (n == NULL) {
		reuse_deliver(kg, app_id, api_key);
		return;
	}
	pthread_mutex_lock(&n->lock);
	if (n->n < NOTICES_QUEUE_MAX && !n->stopping) {
		struct reuse *r = &n->ring[(n->head + n->n) % NOTICES_QUEUE_MAX];

		r->app_id = app_id;
		snprintf(r->api_key, sizeof(r->api_key), "%s", api_key);
		n->n++;
		queued = true;
		pthread_cond_signal(&n->wake);
	}
	pthread_mutex_unlock(&n->lock);
	if (!queued)
		log_msg("warn", "notice of a refresh token reused dropped: %d "
		    "waiting already", NOTICES_QUEUE_MAX);
}
