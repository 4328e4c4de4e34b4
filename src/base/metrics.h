#ifndef KEYGATE_BASE_METRICS_H
#define KEYGATE_BASE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Counters for GET /metrics (Prometheus text format 0.0.4), names in
 * docs/OPERATIONS.md. They are process-wide, like the log: every layer
 * counts, none passes a handle down for it. A count is one relaxed atomic
 * add on a shard of the calling thread's own (no lock, no shared cache
 * line on the bearer-check path); reading sums the shards. */

enum metric {
	METRIC_TOKENS_ISSUED,		/* code exchanges and client flow */
	METRIC_TOKENS_REFRESHED,
	METRIC_TOKENS_REVOKED,		/* revocations that took effect */
	METRIC_TOKENS_EXPIRED,		/* presented after their lifetime */
	METRIC_REFRESH_REUSE,		/* used refresh token presented again */
	METRIC_CODE_REPLAY,		/* used code presented again */
	METRIC_THROTTLED,		/* attempts refused by a throttle */
	METRIC_CACHE_HITS,		/* token cache answered a check */
	METRIC_CACHE_MISSES,		/* token cache sent it to the store */
	METRIC_STORE_ERRORS,		/* store calls that returned ERR_STORE */
	METRIC_MAIL_QUEUED,		/* mails put in the queue */
	METRIC_MAIL_SENT,		/* delivered (SMTP or Maildir) */
	METRIC_MAIL_FAILED,		/* delivery attempts that failed */
	METRIC_MAIL_GIVEN_UP,		/* mails dropped after the last */
	METRIC_COUNT
};

/* Routes beyond this share the last index, which also counts requests
 * that matched no route. */
#define METRICS_MAX_ROUTES	64

/* Names route index i (< METRICS_MAX_ROUTES) for the labels; the strings
 * must outlive the process's use of the metrics (static route tables). */
void	metrics_route_name(size_t i, const char *method, const char *pattern);

void	metrics_inc(enum metric m);

/* One answered request: its route index (METRICS_MAX_ROUTES or more for
 * "unmatched"), status and duration in microseconds. */
void	metrics_request(size_t route, int status, uint64_t dur_us);

/* One store call and its duration in microseconds. */
void	metrics_store_call(uint64_t dur_us);

/* Monotonic microseconds, for the durations above. */
uint64_t metrics_now_us(void);

/* Per-app usage totals (docs/REFERENCE.md §21), for the apps an operator
 * named (--metrics-apps), never a label per app otherwise: slot i (<
 * METRICS_MAX_APPS) is named by the app's API key, and counts the
 * METRICS_APP_KINDS kinds of core's enum usage_kind, in its order. */
#define METRICS_MAX_APPS	100
#define METRICS_APP_KINDS	6
/* The kinds' names (core's usage_kind_names, kept, not copied) and
 * slot i's API key (copied); before the first request. */
void	metrics_app_kinds(const char *const names[METRICS_APP_KINDS]);
void	metrics_app_name(size_t i, const char *api_key);
void	metrics_app_add(size_t i, unsigned kind);

/* Reads every counter (one pass; counts racing with it land in this
 * scrape or the next) and prints them in the text format. */
void	metrics_render(struct buf *b);

/* The current total of one counter, for tests. */
uint64_t metrics_get(enum metric m);

#endif
