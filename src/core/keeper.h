#ifndef KEYGATE_CORE_KEEPER_H
#define KEYGATE_CORE_KEEPER_H

#include "core/keygate.h"

/* The serve command's background thread: every KEEPER_PERIOD_MS it writes
 * the pending uses of tokens and polls the store's revision counter,
 * dropping the token cache when another node or process has revoked,
 * deleted or replaced something. While the store cannot be polled, the
 * cache is not trusted (every check reads the store). */
#define KEEPER_PERIOD_MS	100

struct keeper;

struct keeper	*keeper_start(struct keygate *kg);
/* Stops the thread and writes what is still pending. */
void		 keeper_stop(struct keeper *k);

#endif
