/* Security events (docs/REFERENCE.md §20): their names, the list, and the
 * facts of a new one, which the store writes with the change it records. */
#include "core/events.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/workq.h"
#include "core/throttle.h"
#include "store/store.h"

static const char *const names[EVENT_KINDS] = {
	[EVENT_SIGNUP] = "signup",
	[EVENT_LOGIN] = "login",
	[EVENT_LOGIN_FAILED] = "login_failed",
	[EVENT_PASSWORD_CHANGED] = "password_changed",
	[EVENT_EMAIL_CHANGED] = "email_changed",
	[EVENT_TWO_STEP_ON] = "two_step_on",
	[EVENT_TWO_STEP_OFF] = "two_step_off",
	[EVENT_SESSION_ENDED] = "session_ended",
	[EVENT_PAT_CREATED] = "pat_created",
	[EVENT_PAT_REVOKED] = "pat_revoked",
	[EVENT_APP_CREATED] = "app_created",
	[EVENT_APP_CHANGED] = "app_changed",
	[EVENT_APP_DELETED] = "app_deleted",
	[EVENT_SECRET_GENERATED] = "secret_generated",
	[EVENT_SECRET_REVOKED] = "secret_revoked",
	[EVENT_GRANT_GIVEN] = "grant_given",
	[EVENT_GRANT_WITHDRAWN] = "grant_withdrawn",
	[EVENT_REFRESH_REUSE] = "refresh_reuse",
	[EVENT_CODE_REPLAY] = "code_replay",
	[EVENT_ACCOUNT_DISABLED] = "account_disabled",
};

const char *
event_kind_name(enum event_kind k)
{
	return (int)k >= 0 && k < EVENT_KINDS ? names[k] : "unknown";
}

bool
event_kind_parse(const char *s, enum event_kind *k)
{
	if (s == NULL)
		return false;
	for (int i = 0; i < EVENT_KINDS; i++)
		if (strcmp(s, names[i]) == 0) {
			*k = (enum event_kind)i;
			return true;
		}
	return false;
}

int
events_list(struct keygate *kg, int64_t account_id,
    const struct event_filter *f, int64_t before, size_t max,
    struct event_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (before < 0)
		before = 0;
	return store_event_list(kg->store, account_id,
	    f != NULL ? f->kind : -1, f != NULL ? f->app_id : 0, before, max,
	    rows, n);
}

void
event_make(struct event_new *ev, struct keygate *kg, enum event_kind k,
    int64_t account_id, const char *address)
{
	memset(ev, 0, sizeof(*ev));
	ev->at = clock_now(kg->clock);
	ev->account_id = account_id;
	ev->kind = k;
	/* an address too long for the column is no address */
	if (address != NULL && strlen(address) < sizeof(ev->address))
		memcpy(ev->address, address, strlen(address) + 1);
	memcpy(ev->detail, "{}", 3);
	if (address == NULL)
		event_detail_str(ev, "by", "cli");
}

void
event_app(struct event_new *ev, int64_t app_id, const char *api_key)
{
	ev->app_id = app_id;
	if (api_key != NULL && strlen(api_key) < sizeof(ev->app))
		memcpy(ev->app, api_key, strlen(api_key) + 1);
}

/* Sets detail[key] to v (a new reference, taken). A detail that would
 * outgrow its column keeps what it had: the event matters more than a
 * detail of it. */
static void
detail_set(struct event_new *ev, const char *key, json_t *v)
{
	json_t *o = json_loads(ev->detail, 0, NULL);
	char buf[EVENT_DETAIL_MAX_BYTES + 1];
	size_t len;

	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	json_object_set_new(o, key, v);
	len = json_dumpb(o, buf, sizeof(buf) - 1,
	    JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (len > 0 && len < sizeof(buf)) {
		buf[len] = '\0';
		memcpy(ev->detail, buf, len + 1);
	}
	json_decref(o);
}

void
event_detail_str(struct event_new *ev, const char *key, const char *value)
{
	detail_set(ev, key, json_string(value));
}

void
event_detail_bool(struct event_new *ev, const char *key, bool value)
{
	detail_set(ev, key, json_boolean(value));
}

void
event_detail_int(struct event_new *ev, const char *key, int64_t value)
{
	detail_set(ev, key, json_integer((json_int_t)value));
}

void
event_detail_list(struct event_new *ev, const char *key,
    const char *const *values, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(values[i]));
	detail_set(ev, key, a);
}

/* --- failed log-ins ------------------------------------------------------- */

/* an item of the worker's queue: the facts of one failure */
struct failure {
	int64_t		 account_id;
	int64_t		 at;
	const char	*reason;	/* a literal */
	char		 addr[sizeof(((struct event_new *)0)->address)];
};

struct events_worker {
	struct keygate	*kg;
	struct workq	*q;
};

static void
record_failure(struct keygate *kg, const struct failure *f)
{
	struct throttle_ticket tk;
	struct event_new ev;
	char key[48];
	int64_t wait;

	snprintf(key, sizeof(key), "event-login-failed:%lld",
	    (long long)f->account_id);
	if (throttle_take(kg->throttle, str_from(key),
	    EVENTS_LOGIN_FAILED_PER_HOUR, 3600, f->at, &wait, &tk) != 0)
		return;
	event_make(&ev, kg, EVENT_LOGIN_FAILED, f->account_id, f->addr);
	ev.at = f->at;
	event_detail_str(&ev, "reason", f->reason);
	if (store_event_add(kg->store, &ev) != 0) {
		throttle_give_back(kg->throttle, &tk);
		log_msg("warn", "a failed log-in of account %lld was not "
		    "recorded", (long long)f->account_id);
	}
}

static void
run(void *ctx, void *item)
{
	struct events_worker *w = ctx;

	record_failure(w->kg, item);
}

struct events_worker *
events_start(struct keygate *kg)
{
	struct events_worker *w = xcalloc(1, sizeof(*w));

	w->kg = kg;
	w->q = workq_start(sizeof(struct failure), EVENTS_QUEUE_MAX, run, w);
	return w;
}

void
events_stop(struct events_worker *w)
{
	if (w == NULL)
		return;
	workq_stop(w->q);
	free(w);
}

void
events_login_failed(struct keygate *kg, int64_t account_id,
    const char *addr, const char *reason)
{
	/* zeroed so that no stack bytes past the address are copied */
	struct failure f = { 0 };

	f.account_id = account_id;
	f.at = clock_now(kg->clock);
	f.reason = reason;
	snprintf(f.addr, sizeof(f.addr), "%s", addr != NULL ? addr : "");
	if (kg->events == NULL) {
		record_failure(kg, &f);
		return;
	}
	if (workq_submit(kg->events->q, &f) != 0)
		log_msg("warn", "a failed log-in of account %lld was not "
		    "recorded: %d waiting already", (long long)account_id,
		    EVENTS_QUEUE_MAX);
}
