#ifndef KEYGATE_CORE_USES_H
#define KEYGATE_CORE_USES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Uses of access tokens waiting to be written: a bearer check records its
 * use here instead of writing it at once, and the keeper thread appends
 * them to the store's use log in batches, and folds the log into the
 * tokens every so often (store_use_log_fold). At most
 * USES_MAX_PENDING wait; beyond that a use is written on the spot, so
 * none is ever dropped for want of room. */
struct uses;

#define USES_MAX_PENDING	65536

/* With --use-coalesce N, a token's use is logged at most once per
 * uses_log_every_s(N) = N/2 seconds, and the log folded every
 * uses_fold_every_s(N) = the other half (each at least 1): a use reaches
 * its token's row within N seconds, the bound a crash or another node may
 * see a token expire early by. Every use logged is a token written by the
 * next fold, and a fold pass rewrites the pages of the tokens it holds:
 * halves keep both the log and the folds small. */
int64_t		 uses_log_every_s(int64_t coalesce_s);
int64_t		 uses_fold_every_s(int64_t coalesce_s);

struct uses	*uses_new(struct store *st);
/* Writes what is pending, then frees. */
void		 uses_free(struct uses *u);

/* Queues the use of token `hash` at `now`. Returns 0, or an ERR_* code
 * when the queue was full and writing it on the spot failed. */
int		 uses_record(struct uses *u,
		    const unsigned char hash[SECURE_HASH_BYTES], int64_t now);
/* Appends every pending use to the log (a NULL u has none). On failure
 * they stay queued (as room allows) for the next flush and the ERR_* code
 * is returned. */
int		 uses_flush(struct uses *u);
/* uses_flush() with the m usage counts (and, unless live_hour is -1, the
 * live users' sample) of core/usage.c in the same transaction as the last
 * batch of uses, or alone when no use waits: 0 when all of it is written;
 * on failure none of the counts is. */
int		 uses_flush_usage(struct uses *u,
		    const struct usage_add *adds, size_t m, int64_t live_hour);
/* Whether uses wait to be written (a NULL u has none). */
bool		 uses_pending(struct uses *u);
/* uses_flush(), then folds the log of st: every use recorded so far is
 * then in its token's row (for answers that must be exact). */
int		 uses_settle(struct uses *u, struct store *st);

#endif
