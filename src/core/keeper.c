#include "core/keeper.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/token_cache.h"
#include "core/uses.h"
#include "store/store.h"

struct keeper {
	struct keygate	*kg;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	bool		 stop;		/* under lock */
	int64_t		 revision;
	bool		 polled;	/* revision holds a value */
};

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drops the cache when the revision moved. The trust runs from before the
 * query: what it vouches for is the state at that moment. */
static void
poll_revision(struct keeper *k)
{
	int64_t asked = monotonic_ms(), revision;

	if (store_revision(k->kg->store, &revision) != 0) {
		k->polled = false;
		return;
	}
	if (!k->polled || revision != k->revision)
		token_cache_invalidate(k->kg->cache);
	k->revision = revision;
	k->polled = true;
	token_cache_trust_until(k->kg->cache, asked + KEEPER_TRUST_MS);
}

static void *
run(void *arg)
{
	struct keeper *k = arg;
	struct timespec until;
	bool stop = false;

	while (!stop) {
		poll_revision(k);
		if (uses_flush(k->kg->uses) != 0)
			log_msg("warn", "uses of tokens could not be written; "
			    "retrying");
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += KEEPER_PERIOD_MS * 1000000L;
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
	}
	return NULL;
}

struct keeper *
keeper_start(struct keygate *kg)
{
	struct keeper *k = xcalloc(1, sizeof(*k));
	pthread_condattr_t attr;

	k->kg = kg;
	pthread_mutex_init(&k->lock, NULL);
	/* a wall clock set back must not put the keeper to sleep */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&k->wake, &attr);
	pthread_condattr_destroy(&attr);
	/* vouch once before the first request */
	poll_revision(k);
	if (pthread_create(&k->thread, NULL, run, k) != 0) {
		log_msg("error", "cannot start the keeper thread");
		abort();
	}
	return k;
}

void
keeper_stop(struct keeper *k)
{
	if (k == NULL)
		return;
	pthread_mutex_lock(&k->lock);
	k->stop = true;
	pthread_cond_signal(&k->wake);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	if (uses_flush(k->kg->uses) != 0)
		log_msg("error", "uses of tokens could not be written at exit");
	pthread_cond_destroy(&k->wake);
	pthread_mutex_destroy(&k->lock);
	free(k);
}
