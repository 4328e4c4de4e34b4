#ifndef KEYGATE_BASE_WORKQ_H
#define KEYGATE_BASE_WORKQ_H

/* One thread that works through a bounded queue of fixed-size items, in
 * the order they came: for work a request hands on so that its answer
 * does not wait for it (core/resets.c: a reset link to look up and mail;
 * core/notices.c: a notice to send). The queue lives in memory: what a
 * crash loses is asked again. Items may hold secrets (an address, a key),
 * so each is wiped once taken, and the queue's memory when it stops. */

#include <stddef.h>

struct workq;

/* Calls run(ctx, item) for each item, on the queue's own thread; `item`
 * is the queue's copy, valid only during the call. At most max_items of
 * item_size bytes wait (the one being run is no longer counted). Aborts
 * if the thread cannot start, like the allocators. */
struct workq	*workq_start(size_t item_size, size_t max_items,
		    void (*run)(void *ctx, void *item), void *ctx);
/* Copies item_size bytes of `item` into the queue. Returns 0,
 * ERR_THROTTLED when max_items wait already, or ERR_EXPIRED once
 * workq_stop() has begun; a refused item is the caller's to drop. */
int		 workq_submit(struct workq *q, const void *item);
/* Runs every item that still waits, stops the thread, wipes and frees
 * the queue. NULL is allowed. A submit may not race with it: the caller
 * stops the queue after the last one that may submit (serve: after the
 * last request). */
void		 workq_stop(struct workq *q);

#endif
