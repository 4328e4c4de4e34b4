#include "http/offload.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/mem.h"

/* The slow lane's niceness: when log-ins and token checks compete for a
 * busy core, the checks (a few microseconds each) go first; the slow lane
 * still gets a third of a request thread's share. */
#define OFFLOAD_NICE	5

struct job {
	offload_fn	 fn, done;
	void		*arg;
};

struct offload {
	pthread_mutex_t	 lock;
	pthread_cond_t	 ready;		/* a job was queued, or stopping */
	struct job	*ring;		/* cap slots */
	size_t		 cap;		/* threads + queue_max */
	size_t		 head, len;	/* the jobs waiting */
	size_t		 pending;	/* waiting or running */
	bool		 stopping;
	pthread_t	*threads;
	size_t		 nthreads;
};

/* Waits for a job; false once stopping and nothing is left. */
static bool
take(struct offload *o, struct job *out)
{
	bool got;

	pthread_mutex_lock(&o->lock);
	while (o->len == 0 && !o->stopping)
		pthread_cond_wait(&o->ready, &o->lock);
	got = o->len > 0;
	if (got) {
		*out = o->ring[o->head];
		o->head = (o->head + 1) % o->cap;
		o->len--;
	}
	pthread_mutex_unlock(&o->lock);
	return got;
}

static void *
run(void *arg)
{
	struct offload *o = arg;
	struct job job;

	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), OFFLOAD_NICE);
	while (take(o, &job)) {
		job.fn(job.arg);
		pthread_mutex_lock(&o->lock);
		o->pending--;
		pthread_mutex_unlock(&o->lock);
		job.done(job.arg);
	}
	return NULL;
}

bool
offload_submit(struct offload *o, offload_fn fn, offload_fn done,
    void *arg)
{
	bool queued;

	pthread_mutex_lock(&o->lock);
	queued = o->pending < o->cap;
	if (queued) {
		o->ring[(o->head + o->len) % o->cap] = (struct job){ fn, done, arg };
		o->len++;
		o->pending++;
		pthread_cond_signal(&o->ready);
	}
	pthread_mutex_unlock(&o->lock);
	return queued;
}

/* Wakes every thread to finish the queue and leave, and joins the first
 * n of them. */
static void
stop(struct offload *o, size_t n)
{
	pthread_mutex_lock(&o->lock);
	o->stopping = true;
	pthread_cond_broadcast(&o->ready);
	pthread_mutex_unlock(&o->lock);
	for (size_t i = 0; i < n; i++)
		pthread_join(o->threads[i], NULL);
}

static void
destroy(struct offload *o)
{
	pthread_cond_destroy(&o->ready);
	pthread_mutex_destroy(&o->lock);
	free(o->threads);
	free(o->ring);
	free(o);
}

struct offload *
offload_new(size_t nthreads, size_t queue_max, char *err, size_t errlen)
{
	struct offload *o = xcalloc(1, sizeof(*o));

	o->nthreads = nthreads > 0 ? nthreads : 1;
	o->cap = o->nthreads + queue_max;
	o->ring = xcalloc(o->cap, sizeof(*o->ring));
	o->threads = xcalloc(o->nthreads, sizeof(*o->threads));
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->ready, NULL);
	for (size_t i = 0; i < o->nthreads; i++) {
		if (pthread_create(&o->threads[i], NULL, run, o) != 0) {
			snprintf(err, errlen, "cannot start the slow lane's "
			    "threads");
			stop(o, i);
			destroy(o);
			return NULL;
		}
	}
	return o;
}

void
offload_free(struct offload *o)
{
	if (o == NULL)
		return;
	stop(o, o->nthreads);
	destroy(o);
}
