#ifndef KEYGATE_CORE_USAGE_H
#define KEYGATE_CORE_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/keygate.h"
#include "store/rows.h"

/* Usage per app and hour (docs/REFERENCE.md §21). Counted in memory on
 * the thread that answers, and added to the store with the use log's
 * batches (core/uses.c), so counting costs no commit of its own. */

/* An hour, the unit of the counts: every hour is a multiple of it (UTC). */
#define USAGE_HOUR	3600

/* The kinds' names, in enum usage_kind's order: the usage API's fields,
 * the metrics' kind label. */
extern const char *const usage_kind_names[USAGE_KINDS];

/* Counts one request of kind k for the app of id app_id at `now` (the
 * injected clock's seconds). Never fails and never blocks on the store;
 * a kg without counting (CLI commands, --usage-counting off) ignores it. */
void	usage_count(struct keygate *kg, int64_t app_id, enum usage_kind k,
	    int64_t now);

/* The app's hours from `from` to `to` (Unix seconds, each rounded down
 * to its hour; at most USAGE_MAX_HOURS of them), one row per hour, hours
 * without a request included with zeros, oldest first. *out is malloc'd
 * (free() it). ERR_INVALID for a bad range, ERR_STORE. */
#define USAGE_MAX_HOURS	(31 * 24)
int	usage_hours(struct keygate *kg, int64_t app_id, int64_t from,
	    int64_t to, struct usage_hour **out, size_t *n);

/* serve's counts (kg->usage), made when --usage-counting is on. */
struct usage	*usage_new(void);
void		 usage_free(struct usage *u);

/* --metrics-apps: the apps it names by API key (each found in the store,
 * one not found left out with a warning) get /metrics totals of their
 * own (base/metrics.h). Before the first request. 0 or ERR_STORE. */
int		 usage_watch(struct keygate *kg);

/* Counts wait at most USAGE_FLUSH_MS when no use of a token is written
 * meanwhile (with the uses they go at once): what a crash may lose. */
#define USAGE_FLUSH_MS	5000
/* The keeper's pass: writes the counts waiting in every thread's shard
 * with the uses waiting (uses_flush_usage()), when uses wait, when the
 * counts have waited USAGE_FLUSH_MS, or when `force`. Counts that cannot
 * be written wait for the next pass. */
int	usage_flush(struct keygate *kg, bool force);
/* Sets every app's live users into the current hour (store_usage_write()),
 * once per minute of the injected clock unless `force`: a read of every
 * grant, so the maintenance thread's, never the keeper's, whose polls
 * must stay on time. */
int	usage_sample(struct keygate *kg, bool force);
/* usage_flush(kg, true) and usage_sample(kg, true), then the use log
 * folded: for answers that must be exact (tests, a clean stop). */
int	usage_settle(struct keygate *kg);

#endif
