#include "core/keeper.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/resources.h"
#include "core/signing_keys.h"
#include "core/token_cache.h"
#include "core/tokens.h"
#include "core/usage.h"
#include "core/uses.h"
#include "store/store.h"

/* the maintenance thread's niceness: a tenth of a request thread's share
 * of a busy core */
#define MAINTAIN_NICE	10
/* how often nodes that share their store fold its use log */
#define SHARED_FOLD_MS	200

struct keeper {
	struct keygate	*kg;
	pthread_t	 thread;
	pthread_t	 maintainer;	/* fold at start, warm, then folds */
	bool		 maintaining;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;		/* both threads sleep on it */
	bool		 stop;		/* under lock */
	_Atomic bool	 stopping;	/* the same, for tokens_warm() */
	int64_t		 revision;
	bool		 polled;	/* revision holds a value */
	bool		 resources_stale;	/* to be read again */
	bool		 fold_failing;	/* the last fold failed */
	bool		 sample_failing; /* the last sample of live users */
};

/* Drops the cache when the revision moved. The trust runs from before the
 * query: what it vouches for is the state at that moment. */
static void
poll_revision(struct keeper *k)
{
	int64_t asked = clock_monotonic_ms(), revision;

	if (store_revision(k->kg->store, &revision) != 0) {
		k->polled = false;
		return;
	}
	if (!k->polled || revision != k->revision) {
		token_cache_invalidate(k->kg->cache);
		/* a rotation (here or on another node) moved it: the new
		 * key is published within this poll */
		if (k->kg->keys != NULL)
			signing_keys_reload(k->kg);
		/* a resource added or deleted on any node */
		k->resources_stale = true;
	}
	/* read again at the next poll while a read fails */
	if (k->resources_stale) {
		k->resources_stale = resources_load(k->kg) != 0;
		if (k->resources_stale)
			log_msg("warn", "keeper: the resources could not be "
			    "read again; the last read stays in force");
	}
	k->revision = revision;
	k->polled = true;
	token_cache_trust_until(k->kg->cache, asked + KEEPER_TRUST_MS);
}

/* Sleeps up to ms (CLOCK_MONOTONIC: a wall clock set back must not put
 * a thread to sleep); false once the keeper is stopping. */
static bool
nap(struct keeper *k, int64_t ms)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&k->lock);
	while (!k->stop && pthread_cond_timedwait(&k->wake, &k->lock,
	    &until) != ETIMEDOUT)
		;
	stop = k->stop;
	pthread_mutex_unlock(&k->lock);
	return !stop;
}

static void *
run(void *arg)
{
	struct keeper *k = arg;

	do {
		poll_revision(k);
		if (usage_flush(k->kg, false) != 0)
			log_msg("warn", "uses of tokens and usage counts could "
			    "not be written; retrying");
	} while (nap(k, KEEPER_PERIOD_MS));
	return NULL;
}

static void
fold(struct keeper *k)
{
	bool failed = store_use_log_fold(k->kg->store, NULL) != 0;

	/* once per outage, not five times a second */
	if (failed && !k->fold_failing)
		log_msg("warn", "the log of token uses could not be folded; "
		    "retrying");
	else if (!failed && k->fold_failing)
		log_msg("info", "the log of token uses is folded again");
	k->fold_failing = failed;
#ifdef __GLIBC__
	/* A fold sorts up to 3.9 MB of uses in this thread's arena, which
	 * glibc keeps unless asked: give it back between folds. */
	malloc_trim(0);
#endif
}

/* Live users, once a minute however often the folds; a failure logged
 * once per outage, as the fold's. */
static void
sample(struct keeper *k)
{
	bool failed = usage_sample(k->kg, false) != 0;

	if (failed && !k->sample_failing)
		log_msg("warn", "the live users of apps could not be sampled; "
		    "retrying");
	k->sample_failing = failed;
}

static void
warm(struct keeper *k)
{
	int64_t t0 = clock_monotonic_ms();
	long n = tokens_warm(k->kg, &k->stopping);

	if (n < 0)
		log_msg("warn", "the token cache could not be filled from the "
		    "store; tokens are read as they are used");
	else
		log_msg("info", "token cache: %ld live tokens loaded in "
		    "%.1f s", n, (double)(clock_monotonic_ms() - t0) / 1000);
}

/* The slow work, apart from the keeper, whose polls vouch for the cache
 * and must stay on time, and at a low priority: on a busy machine a fold
 * or the warm-up waits for requests, not the other way round. */
static void *
maintain(void *arg)
{
	struct keeper *k = arg;
	int64_t every = uses_fold_every_s(k->kg->cfg->use_coalesce_s) * 1000;
	int64_t next, now;

	/* Nodes sharing a store learn each other's uses from its rows: a
	 * use reaches them within a fraction of a second, as fast as it was
	 * written before the log, and at the same cost (a row per use). */
	if (store_is_shared(k->kg->store))
		every = SHARED_FOLD_MS;

	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), MAINTAIN_NICE);
	if (k->kg->cache != NULL)
		warm(k);
	/* by deadline: the time a fold takes is part of the period, so a
	 * use reaches its row within --use-coalesce */
	now = clock_monotonic_ms();
	next = now + every;
	while (nap(k, next > now ? next - now : 0)) {
		next += every;
		fold(k);
		sample(k);
		now = clock_monotonic_ms();
		if (now > next)
			next = now;
	}
	return NULL;
}

struct keeper *
keeper_start(struct keygate *kg)
{
	struct keeper *k = xcalloc(1, sizeof(*k));
	pthread_condattr_t attr;

	k->kg = kg;
	atomic_init(&k->stopping, false);
	pthread_mutex_init(&k->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&k->wake, &attr);
	pthread_condattr_destroy(&attr);
	/* What a crash left in the log goes into the rows before the first
	 * request (a token whose last use is only there would be refused
	 * meanwhile) and before the cache is filled from them. */
	fold(k);
	/* vouch once before the first request */
	poll_revision(k);
	if (pthread_create(&k->thread, NULL, run, k) != 0) {
		log_msg("error", "cannot start the keeper thread");
		abort();
	}
	k->maintaining = pthread_create(&k->maintainer, NULL, maintain,
	    k) == 0;
	if (!k->maintaining)
		log_msg("warn", "cannot start the maintenance thread; the "
		    "use log is folded at exit only");
	return k;
}

void
keeper_stop(struct keeper *k)
{
	if (k == NULL)
		return;
	atomic_store(&k->stopping, true);
	pthread_mutex_lock(&k->lock);
	k->stop = true;
	pthread_cond_broadcast(&k->wake);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	if (k->maintaining)
		pthread_join(k->maintainer, NULL);
	if (usage_settle(k->kg) != 0)
		log_msg("error", "uses of tokens and usage counts could not be "
		    "written at exit");
	pthread_cond_destroy(&k->wake);
	pthread_mutex_destroy(&k->lock);
	free(k);
}
