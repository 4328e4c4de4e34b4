#ifndef KEYGATE_HTTP_OFFLOAD_H
#define KEYGATE_HTTP_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>

/* The slow lane: a few threads of its own that run the work too slow for
 * a server thread (argon2id, tens of milliseconds of CPU), so that a burst
 * of log-ins queues here instead of in front of every token check. The
 * queue is bounded: past it, submitting fails and the caller answers 503
 * at once rather than letting the wait grow without limit. */
struct offload;

typedef void (*offload_fn)(void *arg);

/* Starts `nthreads` (at least 1) threads that take jobs in order; at most
 * `queue_max` jobs wait for one (0: a job is taken only by a free thread). Returns NULL (with a
 * reason in err, size errlen) if a thread cannot start. */
struct offload *offload_new(size_t nthreads, size_t queue_max, char *err,
	    size_t errlen);

/* Queues fn(arg) for a slow-lane thread, which then counts the job out
 * of the lane and calls done(arg): whatever done() wakes may submit again
 * at once. Returns false, and queues nothing, when every thread is busy
 * and `queue_max` jobs already wait. */
bool	offload_submit(struct offload *o, offload_fn fn, offload_fn done,
	    void *arg);

/* Runs every job already queued, then stops the threads and frees o.
 * NULL is accepted. */
void	offload_free(struct offload *o);

#endif
