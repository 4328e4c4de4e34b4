#ifndef KEYGATE_STORE_STORE_CALL_H
#define KEYGATE_STORE_STORE_CALL_H

/* Internal to store.c and the store_*.c files that dispatch as it does:
 * a store handle and the counted call through its backend. */

#include <pthread.h>
#include <stdint.h>

#include "base/err.h"
#include "base/metrics.h"
#include "store/store_impl.h"

struct store {
	const struct store_ops	*ops;
	struct store_backend	*backend;
	void			(*taken)(void *arg);	/* store_on_taken() */
	void			*taken_arg;
	pthread_mutex_t		 folding;	/* store_use_log_fold() */
};

/* Every call through CALL() is timed and its failures counted for
 * /metrics; the start time goes through a thread-local so that the comma
 * operator orders the reads (function arguments would not). */
static _Thread_local uint64_t call_start_us;

static inline int
counted(int rc)
{
	metrics_store_call(metrics_now_us() - call_start_us);
	if (rc == ERR_STORE)
		metrics_inc(METRIC_STORE_ERRORS);
	return rc;
}

/* After a write that may have taken something away, whatever its outcome:
 * a commit whose answer was lost may have held. The same writes bump the
 * revision counter (the 0004_revision triggers) for other processes. */
static inline int
store_taken(struct store *st, int rc)
{
	if (st->taken != NULL)
		st->taken(st->taken_arg);
	return rc;
}

#define CALL(op, ...)	(call_start_us = metrics_now_us(), \
			    counted(st->ops->op(st->backend, __VA_ARGS__)))

#endif
