#include "core/resets.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/limits.h"
#include "base/mem.h"

struct resets {
	struct keygate	*kg;
	resets_deliver_fn deliver;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	bool		 stopping;
	/* a ring of n addresses from head */
	size_t		 head, n;
	char	 email[RESETS_QUEUE_MAX][ACCOUNT_EMAIL_MAX_BYTES + 1];
};

static void *
work(void *arg)
{
	struct resets *r = arg;
	char email[ACCOUNT_EMAIL_MAX_BYTES + 1];

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (r->n == 0 && !r->stopping)
			pthread_cond_wait(&r->wake, &r->lock);
		if (r->n == 0)
			break;
		snprintf(email, sizeof(email), "%s", r->email[r->head]);
		r->head = (r->head + 1) % RESETS_QUEUE_MAX;
		r->n--;
		pthread_mutex_unlock(&r->lock);
		r->deliver(r->kg, email);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct resets *
resets_start(struct keygate *kg, resets_deliver_fn deliver)
{
	struct resets *r = xcalloc(1, sizeof(*r));

	r->kg = kg;
	r->deliver = deliver;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	if (pthread_create(&r->thread, NULL, work, r) != 0)
		abort();
	return r;
}

void
resets_stop(struct resets *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->wake);
	sodium_memzero(r->email, sizeof(r->email));
	free(r);
}

bool
resets_submit(struct resets *r, const char *email)
{
	bool queued = false;

	pthread_mutex_lock(&r->lock);
	if (r->n < RESETS_QUEUE_MAX && !r->stopping) {
		snprintf(r->email[(r->head + r->n) % RESETS_QUEUE_MAX],
		    ACCOUNT_EMAIL_MAX_BYTES + 1, "%s", email);
		r->n++;
		queued = true;
		pthread_cond_signal(&r->wake);
	}
	pthread_mutex_unlock(&r->lock);
	return queued;
}
