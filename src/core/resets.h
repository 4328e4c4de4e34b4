#ifndef KEYGATE_CORE_RESETS_H
#define KEYGATE_CORE_RESETS_H

#include <stdbool.h>

#include "core/keygate.h"

/* The serve command's reset worker: a thread that takes the addresses of
 * password reset requests (core/recovery.h) after they were answered,
 * and looks each up, writes its link and queues its mail. The request's
 * own work is then the same for an address with an account and one
 * without. At most
 * RESETS_QUEUE_MAX wait; the queue (base/workq.h) lives in memory (a
 * request lost to a crash is asked again). */
struct resets;

/* What the worker does with each address: recovery_forgot_deliver(),
 * handed in by `serve` (recovery.c submits here, so this file does not
 * call it back). */
typedef void (*resets_deliver_fn)(struct keygate *kg, const char *email);

struct resets	*resets_start(struct keygate *kg,
		    resets_deliver_fn deliver);
/* Delivers what still waits, then stops the thread. */
void		 resets_stop(struct resets *r);
/* Queues a normalized address; false when the queue is full. */
bool		 resets_submit(struct resets *r, const char *email);

#endif
