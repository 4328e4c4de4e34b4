#ifndef KEYGATE_CORE_KEEPER_H
#define KEYGATE_CORE_KEEPER_H

#include "core/keygate.h"

/* The serve command's background threads. The keeper, every
 * KEEPER_PERIOD_MS, polls the store's revision counter, dropping the token
 * cache when another node or process has revoked, deleted or replaced
 * something, and appends the pending uses of tokens to the use log. Each
 * poll that succeeds vouches for the cache for KEEPER_TRUST_MS: a keeper
 * that fails or stalls (a database that hangs) leaves it untrusted, and
 * every check then reads the store. keeper_start() first folds what a
 * crash left in the use log. Beside the keeper, at a low priority, a
 * maintenance thread fills the token cache from the store (tokens_warm),
 * then folds the log every uses_fold_every_s(). */
#define KEEPER_PERIOD_MS	100
#define KEEPER_TRUST_MS		500

struct keeper;

struct keeper	*keeper_start(struct keygate *kg);
/* Stops the thread and writes what is still pending. */
void		 keeper_stop(struct keeper *k);

#endif
