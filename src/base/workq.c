#include "base/workq.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"

struct workq {
	void		(*run)(void *ctx, void *item);
	void		*ctx;
	size_t		 item_size, max;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	bool		 stopping;
	/* a ring of n items from head; `taken` is the worker's own copy, so
	 * run() goes without the lock and its slot is free at once */
	size_t		 head, n;
	unsigned char	*ring;
	unsigned char	*taken;
};

static void *
work(void *arg)
{
	struct workq *q = arg;
	unsigned char *slot;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->n == 0 && !q->stopping)
			pthread_cond_wait(&q->wake, &q->lock);
		/* stopping with items left: they run first */
		if (q->n == 0)
			break;
		slot = q->ring + q->head * q->item_size;
		memcpy(q->taken, slot, q->item_size);
		sodium_memzero(slot, q->item_size);
		q->head = (q->head + 1) % q->max;
		q->n--;
		pthread_mutex_unlock(&q->lock);
		q->run(q->ctx, q->taken);
		sodium_memzero(q->taken, q->item_size);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct workq *
workq_start(size_t item_size, size_t max_items,
    void (*run)(void *ctx, void *item), void *ctx)
{
	struct workq *q = xcalloc(1, sizeof(*q));

	q->run = run;
	q->ctx = ctx;
	q->item_size = item_size;
	q->max = max_items;
	/* xcalloc() refuses (aborts on) a product that overflows */
	q->ring = xcalloc(max_items, item_size);
	q->taken = xcalloc(1, item_size);
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->wake, NULL);
	if (pthread_create(&q->thread, NULL, work, q) != 0)
		abort();
	return q;
}

int
workq_submit(struct workq *q, const void *item)
{
	int rc = 0;

	pthread_mutex_lock(&q->lock);
	if (q->stopping)
		rc = ERR_EXPIRED;
	else if (q->n >= q->max)
		rc = ERR_THROTTLED;
	else {
		memcpy(q->ring + ((q->head + q->n) % q->max) * q->item_size,
		    item, q->item_size);
		q->n++;
		pthread_cond_signal(&q->wake);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void
workq_stop(struct workq *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->wake);
	/* every slot was wiped when taken and all ran; wiped once more so
	 * that this does not rest on the worker's loop alone */
	sodium_memzero(q->ring, q->max * q->item_size);
	sodium_memzero(q->taken, q->item_size);
	free(q->ring);
	free(q->taken);
	free(q);
}
