#include "core/usage.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/metrics.h"
#include "core/usage_table.h"
#include "core/uses.h"
#include "store/store.h"

/* Threads beyond USAGE_SHARDS share shards; the lock keeps them right. */
#define USAGE_SHARDS	16

/* A thread's shard: only the flusher, a few times a second at most,
 * ever takes its lock from another thread, so counting never waits. */
struct shard {
	pthread_mutex_t		 lock;
	struct usage_table	 t;
} __attribute__((aligned(64)));

struct usage {
	struct shard		 shards[USAGE_SHARDS];
	pthread_mutex_t		 flushing;	/* guards what follows */
	struct usage_add	*carry;		/* drained, not yet written */
	size_t			 ncarry, capcarry;
	int64_t			 written_ms;	/* monotonic, last write */
	_Atomic int64_t		 live_minute;	/* injected clock's, sampled */
	/* --metrics-apps: app ids in order, with their metrics slots; set
	 * before the first request, read only after */
	size_t			 nwatch;
	int64_t			 watch_id[METRICS_MAX_APPS];
	size_t			 watch_slot[METRICS_MAX_APPS];
};

const char *const usage_kind_names[USAGE_KINDS] = {
	[USAGE_CHECK_OK] = "checks_ok",
	[USAGE_CHECK_401] = "checks_401",
	[USAGE_API_OK] = "api_ok",
	[USAGE_API_401] = "api_401",
	[USAGE_ISSUED] = "issued",
	[USAGE_REFRESHED] = "refreshed",
};

static atomic_uint next_shard;
static _Thread_local unsigned my_shard;		/* 1 + index; 0: none yet */

struct usage *
usage_new(void)
{
	struct usage *u = xcalloc(1, sizeof(*u));

	for (size_t i = 0; i < USAGE_SHARDS; i++)
		pthread_mutex_init(&u->shards[i].lock, NULL);
	pthread_mutex_init(&u->flushing, NULL);
	u->written_ms = clock_monotonic_ms();
	atomic_init(&u->live_minute, -1);
	return u;
}

void
usage_free(struct usage *u)
{
	if (u == NULL)
		return;
	if (u->ncarry > 0)
		log_msg("error", "usage of %zu app-hours could not be "
		    "written at exit", u->ncarry);
	for (size_t i = 0; i < USAGE_SHARDS; i++) {
		usage_table_free(&u->shards[i].t);
		pthread_mutex_destroy(&u->shards[i].lock);
	}
	pthread_mutex_destroy(&u->flushing);
	free(u->carry);
	free(u);
}

_Static_assert(USAGE_KINDS == METRICS_APP_KINDS,
    "/metrics counts the kinds of enum usage_kind");

/* The app's /metrics totals, when --metrics-apps names it. */
static void
watched(const struct usage *u, int64_t app_id, enum usage_kind k)
{
	size_t lo = 0, hi = u->nwatch;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (u->watch_id[mid] < app_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < u->nwatch && u->watch_id[lo] == app_id)
		metrics_app_add(u->watch_slot[lo], (unsigned)k);
}

/* Keeps watch_id in order as each app is added. */
static void
watch(struct usage *u, int64_t app_id, size_t slot)
{
	size_t i = u->nwatch;

	while (i > 0 && u->watch_id[i - 1] > app_id) {
		u->watch_id[i] = u->watch_id[i - 1];
		u->watch_slot[i] = u->watch_slot[i - 1];
		i--;
	}
	u->watch_id[i] = app_id;
	u->watch_slot[i] = slot;
	u->nwatch++;
}

int
usage_watch(struct keygate *kg)
{
	struct app_row *app;
	char *list, *key, *save = NULL;
	size_t slot = 0;
	int rc = 0;

	if (kg->usage == NULL || kg->cfg->metrics_apps == NULL)
		return 0;
	app = xmalloc(sizeof(*app));
	list = xstrdup(kg->cfg->metrics_apps);
	metrics_app_kinds(usage_kind_names);
	for (key = strtok_r(list, ",", &save); key != NULL && rc == 0 &&
	    slot < METRICS_MAX_APPS; key = strtok_r(NULL, ",", &save)) {
		rc = store_app_get(kg->store, STORE_ANY_ACCOUNT, key, app);
		if (rc == ERR_NOTFOUND) {
			log_msg("warn", "--metrics-apps: no app has the API "
			    "key %s; it is left out", key);
			rc = 0;
		} else if (rc == 0) {
			metrics_app_name(slot, key);
			watch(kg->usage, app->id, slot++);
		}
	}
	free(list);
	free(app);
	return rc;
}

void
usage_count(struct keygate *kg, int64_t app_id, enum usage_kind k,
    int64_t now)
{
	struct shard *s;

	if (kg->usage == NULL || app_id <= 0 || (unsigned)k >= USAGE_KINDS ||
	    now < 0)
		return;
	if (my_shard == 0)
		my_shard = 1 + atomic_fetch_add(&next_shard, 1) % USAGE_SHARDS;
	s = &kg->usage->shards[my_shard - 1];
	pthread_mutex_lock(&s->lock);
	usage_table_add(&s->t, app_id, now - now % USAGE_HOUR, k);
	pthread_mutex_unlock(&s->lock);
	if (kg->usage->nwatch > 0)
		watched(kg->usage, app_id, k);
}

/* Under u->flushing: every shard's counts into the carry, merged. */
static void
drain(struct usage *u)
{
	for (size_t i = 0; i < USAGE_SHARDS; i++) {
		pthread_mutex_lock(&u->shards[i].lock);
		usage_table_drain(&u->shards[i].t, &u->carry, &u->ncarry,
		    &u->capcarry);
		pthread_mutex_unlock(&u->shards[i].lock);
	}
	u->ncarry = usage_merge(u->carry, u->ncarry);
}

int
usage_flush(struct keygate *kg, bool force)
{
	struct usage *u = kg->usage;
	int64_t now_ms;
	int rc;

	if (u == NULL)
		return uses_flush(kg->uses);
	now_ms = clock_monotonic_ms();
	pthread_mutex_lock(&u->flushing);
	if (!force && !uses_pending(kg->uses) &&
	    now_ms - u->written_ms < USAGE_FLUSH_MS) {
		pthread_mutex_unlock(&u->flushing);
		return 0;
	}
	drain(u);
	if (kg->uses != NULL)
		rc = uses_flush_usage(kg->uses, u->carry, u->ncarry, -1);
	else
		rc = store_usage_write(kg->store, NULL, 0, u->carry,
		    u->ncarry, -1);
	if (rc == 0) {
		u->ncarry = 0;
		u->written_ms = now_ms;
	}
	pthread_mutex_unlock(&u->flushing);
	return rc;
}

int
usage_sample(struct keygate *kg, bool force)
{
	struct usage *u = kg->usage;
	int64_t now = clock_now(kg->clock);
	int rc;

	if (u == NULL || (!force && atomic_load(&u->live_minute) == now / 60))
		return 0;
	rc = store_usage_write(kg->store, NULL, 0, NULL, 0,
	    now - now % USAGE_HOUR);
	if (rc == 0)
		atomic_store(&u->live_minute, now / 60);
	return rc;
}

int
usage_settle(struct keygate *kg)
{
	int rc = usage_flush(kg, true);

	if (rc == 0)
		rc = usage_sample(kg, true);
	return rc != 0 ? rc : store_use_log_fold(kg->store, NULL);
}

static int
read_hours(struct keygate *kg, int64_t app_id, int64_t from, size_t n,
    struct usage_hour *out)
{
	struct usage_hour *rows;
	size_t nrows, j = 0;
	int rc;

	rc = store_usage_read(kg->store, app_id, from,
	    from + (int64_t)(n - 1) * USAGE_HOUR, &rows, &nrows);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (j < nrows && rows[j].hour == from + (int64_t)i * USAGE_HOUR)
			out[i] = rows[j++];
		else
			out[i].hour = from + (int64_t)i * USAGE_HOUR;
	}
	free(rows);
	return 0;
}

int
usage_hours(struct keygate *kg, int64_t app_id, int64_t from, int64_t to,
    struct usage_hour **out, size_t *n)
{
	int64_t hours;
	int rc;

	*out = NULL;
	*n = 0;
	if (from < 0 || to < from)
		return ERR_INVALID;
	from -= from % USAGE_HOUR;
	to -= to % USAGE_HOUR;
	hours = (to - from) / USAGE_HOUR + 1;
	if (hours > USAGE_MAX_HOURS)
		return ERR_INVALID;
	*out = xcalloc((size_t)hours, sizeof(**out));
	if ((rc = read_hours(kg, app_id, from, (size_t)hours, *out)) != 0) {
		free(*out);
		*out = NULL;
		return rc;
	}
	*n = (size_t)hours;
	return 0;
}
