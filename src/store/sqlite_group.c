/* SQLite: group commit for the issuing transaction (and a rotation's read
 * of its parent, which then needs no read transaction of its own). With
 * synchronous=FULL every COMMIT waits for the disk, so issuing one pair
 * per commit caps refreshes at the disk's flush rate. Instead, requests
 * queue here and one thread writes whatever has queued meanwhile in one
 * transaction (a savepoint per request, so a lost compare-and-set spoils
 * no other), then answers them all: the answer still leaves only after
 * its commit. A job is either waited for by its thread (sqlite_group_run)
 * or submitted with a function to call when it is done, so that a server
 * need not park a thread on each. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/sqlite_stmt.h"

struct group_item {
	struct sqlite_job	 job;		/* its `after` set when queued */
	int			 rc;
	bool			 done;
	pthread_cond_t		 finished;	/* its own: a commit wakes
						 * only the threads it answers */
	store_done_fn		 on_done;	/* set: submitted, not waited
						 * for; the group frees it */
	void			*on_done_arg;
	struct group_item	*next;
};

struct sqlite_group {
	struct store_backend	*b;
	sqlite_batch_fn		 batch;	/* sqlite_issue_batch(), given */
	pthread_t		 thread;
	pthread_mutex_t		 lock;		/* guards what follows */
	pthread_cond_t		 queued;
	struct group_item	*head, *tail;
	bool			 stop;
	uint64_t		 commits;	/* claims.committed, published */
	struct rotation_claims	 claims;	/* the writer's own */
};

/* Under g->lock: takes up to STORE_GROUP_MAX queued items. */
static size_t
take(struct sqlite_group *g, struct group_item **items)
{
	size_t n = 0;

	while (g->head != NULL && n < STORE_GROUP_MAX) {
		items[n++] = g->head;
		g->head = g->head->next;
	}
	if (g->head == NULL)
		g->tail = NULL;
	return n;
}

static void
commit_group(struct sqlite_group *g, struct group_item **items, size_t n)
{
	struct sqlite_job jobs[STORE_GROUP_MAX];
	struct group_item *submitted[STORE_GROUP_MAX];
	int rcs[STORE_GROUP_MAX];
	size_t ns = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		jobs[i] = items[i]->job;
	/* items[0] waited longest: none after it was queued earlier */
	claims_prune(&g->claims, items[0]->job.after);
	rc = g->batch(g->b, jobs, rcs, n, &g->claims);
	pthread_mutex_lock(&g->lock);
	g->commits = g->claims.committed;
	for (size_t i = 0; i < n; i++) {
		items[i]->rc = rc != 0 ? rc : rcs[i];
		if (items[i]->on_done != NULL) {
			submitted[ns++] = items[i];
			continue;
		}
		/* once woken, a waiter's item (on its stack) is gone */
		items[i]->done = true;
		pthread_cond_signal(&items[i]->finished);
	}
	pthread_mutex_unlock(&g->lock);
	/* after the lock: a callback may queue the next job itself */
	for (size_t i = 0; i < ns; i++) {
		submitted[i]->on_done(submitted[i]->on_done_arg,
		    submitted[i]->rc);
		free(submitted[i]);
	}
}

static void *
run(void *arg)
{
	struct sqlite_group *g = arg;
	struct group_item *items[STORE_GROUP_MAX];
	size_t n;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (g->head == NULL && !g->stop)
			pthread_cond_wait(&g->queued, &g->lock);
		if (g->head == NULL)
			break;
		n = take(g, items);
		pthread_mutex_unlock(&g->lock);
		commit_group(g, items, n);
		pthread_mutex_lock(&g->lock);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

struct sqlite_group *
sqlite_group_start(struct store_backend *b, sqlite_batch_fn batch)
{
	struct sqlite_group *g = xcalloc(1, sizeof(*g));

	g->b = b;
	g->batch = batch;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->queued, NULL);
	if (pthread_create(&g->thread, NULL, run, g) != 0) {
		log_msg("error", "sqlite: cannot start the commit thread");
		abort();
	}
	return g;
}

void
sqlite_group_stop(struct sqlite_group *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = true;
	pthread_cond_signal(&g->queued);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	pthread_cond_destroy(&g->queued);
	pthread_mutex_destroy(&g->lock);
	claims_free(&g->claims);
	free(g);
}

/* Under g->lock. */
static void
enqueue(struct sqlite_group *g, struct group_item *it)
{
	it->job.after = g->commits;
	if (g->tail != NULL)
		g->tail->next = it;
	else
		g->head = it;
	g->tail = it;
	pthread_cond_signal(&g->queued);
}

int
sqlite_group_run(struct sqlite_group *g, const struct sqlite_job *job)
{
	struct group_item it = { .job = *job };

	pthread_cond_init(&it.finished, NULL);
	pthread_mutex_lock(&g->lock);
	enqueue(g, &it);
	while (!it.done)
		pthread_cond_wait(&it.finished, &g->lock);
	pthread_mutex_unlock(&g->lock);
	pthread_cond_destroy(&it.finished);
	return it.rc;
}

void
sqlite_group_submit(struct sqlite_group *g, const struct sqlite_job *job,
    store_done_fn done, void *arg)
{
	struct group_item *it = xcalloc(1, sizeof(*it));

	it->job = *job;
	it->on_done = done;
	it->on_done_arg = arg;
	pthread_mutex_lock(&g->lock);
	enqueue(g, it);
	pthread_mutex_unlock(&g->lock);
}
