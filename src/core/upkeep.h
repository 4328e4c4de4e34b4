#ifndef KEYGATE_CORE_UPKEEP_H
#define KEYGATE_CORE_UPKEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/keygate.h"
#include "store/store.h"

/* An operator's upkeep of the store: `keygate gc` and `keygate stats`. */

/* gc removes access tokens only once they have been dead this long: a
 * serving node holds a token's latest use for up to --use-coalesce
 * seconds (at most 3600) before the store has it. */
#define UPKEEP_GRACE_S		3600
/* Codes are kept this long after they expire, so that a replay within
 * it still revokes the family the code started (docs/REFERENCE.md §3.2). */
#define UPKEEP_CODES_KEEP_S	86400
/* Rows per transaction: short enough not to hold a lock for long. */
#define UPKEEP_BATCH		5000

/* Called after each batch with the kind's running total; `done` on its
 * last call for that kind. */
typedef void (*upkeep_progress_fn)(void *ctx, const char *kind,
    size_t removed, bool done);

/* The dead/live line at `now` (docs/REFERENCE.md §4, the session limits),
 * access tokens judged `grace_s` earlier. */
void	upkeep_horizon(const struct keygate *kg, int64_t now, int64_t grace_s,
	    struct store_horizon *out);

/* Folds the use log, then removes dead access tokens, old codes and
 * ended sessions in batches; refresh tokens stay. *total gets the rows
 * removed. */
int	upkeep_gc(struct keygate *kg, upkeep_progress_fn progress, void *ctx,
	    size_t *total);

/* Counts accounts, apps, grants and what is live now. */
int	upkeep_stats(struct keygate *kg, struct store_counts *out);

#endif
