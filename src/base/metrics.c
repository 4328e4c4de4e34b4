#include "base/metrics.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "base/limits.h"

#define NSHARDS		16
#define NROUTES		(METRICS_MAX_ROUTES + 1)	/* + unmatched */
#define NBUCKETS	16				/* + Inf last */

/* Every status keygate answers with; anything else counts as its class. */
static const int statuses[] = { 200, 201, 204, 302, 303, 304, 400, 401,
    403, 404, 405, 409, 413, 414, 415, 422, 429, 431, 500, 501, 503 };
#define NSTATUS		(sizeof(statuses) / sizeof(statuses[0]))
#define NSLOTS		(NSTATUS + 5)			/* + 1xx..5xx */

/* Upper bounds in microseconds, and the same as Prometheus labels. */
static const uint64_t bounds_us[NBUCKETS - 1] = { 100, 250, 500, 1000,
    2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000,
    2500000, 5000000 };
static const char *const bounds_le[NBUCKETS] = { "0.0001", "0.00025",
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
    "0.25", "0.5", "1", "2.5", "5", "+Inf" };

struct histogram {
	_Atomic uint64_t	 bucket[NBUCKETS];	/* not cumulative */
	_Atomic uint64_t	 sum_us;
};

/* One thread's counts (threads beyond NSHARDS share, still atomically).
 * Aligned so that two shards never share a cache line. */
struct shard {
	_Atomic uint64_t	 c[METRIC_COUNT];
	_Atomic uint64_t	 status[NROUTES][NSLOTS];
	struct histogram	 latency[NROUTES];
	struct histogram	 store;
	_Atomic uint64_t	 app[METRICS_MAX_APPS][METRICS_APP_KINDS];
} __attribute__((aligned(64)));

static struct shard shards[NSHARDS];
static atomic_uint next_shard;
static _Thread_local struct shard *mine;

static struct {
	const char	*method;
	const char	*pattern;
} routes[METRICS_MAX_ROUTES];

/* --metrics-apps: the API keys of the slots in use, named at start */
static char app_keys[METRICS_MAX_APPS][APP_API_KEY_MAX_BYTES + 1];
static size_t napps;
static const char *const *app_kinds;	/* metrics_app_kinds() */

#define ADD(p, n)	atomic_fetch_add_explicit((p), (n), \
			    memory_order_relaxed)
#define LOAD(p)		atomic_load_explicit((p), memory_order_relaxed)

static struct shard *
self(void)
{
	if (mine == NULL)
		mine = &shards[atomic_fetch_add(&next_shard, 1) % NSHARDS];
	return mine;
}

void
metrics_route_name(size_t i, const char *method, const char *pattern)
{
	if (i < METRICS_MAX_ROUTES) {
		routes[i].method = method;
		routes[i].pattern = pattern;
	}
}

void
metrics_app_name(size_t i, const char *api_key)
{
	if (i >= METRICS_MAX_APPS)
		return;
	snprintf(app_keys[i], sizeof(app_keys[i]), "%s", api_key);
	if (i >= napps)
		napps = i + 1;
}

void
metrics_app_kinds(const char *const names[METRICS_APP_KINDS])
{
	app_kinds = names;
}

void
metrics_app_add(size_t i, unsigned kind)
{
	if (i < METRICS_MAX_APPS && kind < METRICS_APP_KINDS)
		ADD(&self()->app[i][kind], 1);
}

/* Every named app's every kind, zeros too: the operator named them. */
static void
render_apps(struct buf *b)
{
	if (napps == 0 || app_kinds == NULL)
		return;
	buf_puts(b, "# HELP keygate_app_usage_total Requests of the apps "
	    "--metrics-apps names, by kind.\n# TYPE keygate_app_usage_total "
	    "counter\n");
	for (size_t i = 0; i < napps; i++)
		for (size_t k = 0; k < METRICS_APP_KINDS; k++) {
			uint64_t n = 0;

			if (app_keys[i][0] == '\0')
				continue;
			for (size_t s = 0; s < NSHARDS; s++)
				n += LOAD(&shards[s].app[i][k]);
			buf_printf(b, "keygate_app_usage_total{app=\"%s\","
			    "kind=\"%s\"} %llu\n", app_keys[i], app_kinds[k],
			    (unsigned long long)n);
		}
}

void
metrics_inc(enum metric m)
{
	ADD(&self()->c[m], 1);
}

static size_t
status_slot(int status)
{
	for (size_t i = 0; i < NSTATUS; i++)
		if (statuses[i] == status)
			return i;
	if (status < 100 || status > 599)
		status = 500;
	return NSTATUS + (size_t)(status / 100 - 1);
}

static void
observe(struct histogram *h, uint64_t dur_us)
{
	size_t i = 0;

	while (i < NBUCKETS - 1 && dur_us > bounds_us[i])
		i++;
	ADD(&h->bucket[i], 1);
	ADD(&h->sum_us, dur_us);
}

void
metrics_request(size_t route, int status, uint64_t dur_us)
{
	struct shard *s = self();

	if (route >= NROUTES)
		route = METRICS_MAX_ROUTES;
	ADD(&s->status[route][status_slot(status)], 1);
	observe(&s->latency[route], dur_us);
}

void
metrics_store_call(uint64_t dur_us)
{
	observe(&self()->store, dur_us);
}

uint64_t
metrics_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
metrics_get(enum metric m)
{
	uint64_t n = 0;

	for (size_t s = 0; s < NSHARDS; s++)
		n += LOAD(&shards[s].c[m]);
	return n;
}

/* The histogram of route r (or the store's, r == NROUTES), summed. */
static void
histogram_sum(size_t r, uint64_t bucket[NBUCKETS], uint64_t *sum_us)
{
	*sum_us = 0;
	for (size_t i = 0; i < NBUCKETS; i++)
		bucket[i] = 0;
	for (size_t s = 0; s < NSHARDS; s++) {
		const struct histogram *h = r == NROUTES ? &shards[s].store :
		    &shards[s].latency[r];

		for (size_t i = 0; i < NBUCKETS; i++)
			bucket[i] += LOAD(&h->bucket[i]);
		*sum_us += LOAD(&h->sum_us);
	}
}

static void
route_labels(struct buf *b, size_t r)
{
	if (r < METRICS_MAX_ROUTES && routes[r].pattern != NULL)
		buf_printf(b, "method=\"%s\",route=\"%s\"", routes[r].method,
		    routes[r].pattern);
	else
		buf_puts(b, "method=\"\",route=\"unmatched\"");
}

/* Prints `name_bucket{labels,le=...}`, `name_sum` and `name_count`;
 * nothing for a histogram that never counted. */
static void
render_histogram(struct buf *b, const char *name, size_t r)
{
	uint64_t bucket[NBUCKETS], sum_us, cum = 0;

	histogram_sum(r, bucket, &sum_us);
	for (size_t i = 0; i < NBUCKETS; i++)
		cum += bucket[i];
	if (cum == 0)
		return;
	cum = 0;
	for (size_t i = 0; i < NBUCKETS; i++) {
		cum += bucket[i];
		buf_printf(b, "%s_bucket{", name);
		if (r != NROUTES) {
			route_labels(b, r);
			buf_puts(b, ",");
		}
		buf_printf(b, "le=\"%s\"} %llu\n", bounds_le[i],
		    (unsigned long long)cum);
	}
	buf_printf(b, "%s_sum", name);
	if (r != NROUTES) {
		buf_puts(b, "{");
		route_labels(b, r);
		buf_puts(b, "}");
	}
	buf_printf(b, " %.6f\n%s_count", (double)sum_us / 1e6, name);
	if (r != NROUTES) {
		buf_puts(b, "{");
		route_labels(b, r);
		buf_puts(b, "}");
	}
	buf_printf(b, " %llu\n", (unsigned long long)cum);
}

static void
render_requests(struct buf *b)
{
	static const char *const classes[] = { "1xx", "2xx", "3xx", "4xx",
	    "5xx" };

	buf_puts(b, "# HELP keygate_http_requests_total Requests answered, "
	    "by route and status.\n# TYPE keygate_http_requests_total "
	    "counter\n");
	for (size_t r = 0; r < NROUTES; r++)
		for (size_t k = 0; k < NSLOTS; k++) {
			uint64_t n = 0;

			for (size_t s = 0; s < NSHARDS; s++)
				n += LOAD(&shards[s].status[r][k]);
			if (n == 0)
				continue;
			buf_puts(b, "keygate_http_requests_total{");
			route_labels(b, r);
			if (k < NSTATUS)
				buf_printf(b, ",status=\"%d\"} ", statuses[k]);
			else
				buf_printf(b, ",status=\"%s\"} ",
				    classes[k - NSTATUS]);
			buf_printf(b, "%llu\n", (unsigned long long)n);
		}
	buf_puts(b, "# HELP keygate_http_request_duration_seconds Time from "
	    "the request line to the answer, by route.\n# TYPE "
	    "keygate_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r < NROUTES; r++)
		render_histogram(b, "keygate_http_request_duration_seconds", r);
}

static const struct {
	enum metric	 m;
	const char	*name;
	const char	*help;
} counters[] = {
	{ METRIC_TOKENS_ISSUED, "keygate_tokens_issued_total",
	  "Access tokens issued by a code exchange or the client flow." },
	{ METRIC_TOKENS_REFRESHED, "keygate_tokens_refreshed_total",
	  "Token pairs issued for a refresh token." },
	{ METRIC_TOKENS_REVOKED, "keygate_tokens_revoked_total",
	  "Revocations of an access token or a refresh token's family." },
	{ METRIC_TOKENS_EXPIRED, "keygate_tokens_expired_total",
	  "Access tokens presented after their lifetime ended." },
	{ METRIC_REFRESH_REUSE, "keygate_refresh_reuse_detected_total",
	  "Used refresh tokens presented again (their family revoked)." },
	{ METRIC_CODE_REPLAY, "keygate_code_replay_detected_total",
	  "Used authorization codes presented again." },
	{ METRIC_THROTTLED, "keygate_throttled_total",
	  "Attempts refused by a throttle (answered 429)." },
	{ METRIC_CACHE_HITS, "keygate_token_cache_hits_total",
	  "Access-token checks answered from the token cache." },
	{ METRIC_CACHE_MISSES, "keygate_token_cache_misses_total",
	  "Access-token checks that read the store." },
	{ METRIC_STORE_ERRORS, "keygate_store_errors_total",
	  "Store calls that failed (unreachable or broken store)." },
	{ METRIC_MAIL_QUEUED, "keygate_mail_queued_total",
	  "Mails put in the queue." },
	{ METRIC_MAIL_SENT, "keygate_mail_sent_total",
	  "Mails delivered, over SMTP or into the Maildir." },
	{ METRIC_MAIL_FAILED, "keygate_mail_failed_total",
	  "Delivery attempts that failed (each is tried again, up to the "
	  "last)." },
	{ METRIC_MAIL_GIVEN_UP, "keygate_mail_given_up_total",
	  "Mails given up after their last failed attempt." },
};

void
metrics_render(struct buf *b)
{
	render_requests(b);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
		    counters[i].name, counters[i].help, counters[i].name,
		    counters[i].name,
		    (unsigned long long)metrics_get(counters[i].m));
	buf_puts(b, "# HELP keygate_store_duration_seconds Time of each "
	    "store call.\n# TYPE keygate_store_duration_seconds "
	    "histogram\n");
	render_histogram(b, "keygate_store_duration_seconds", NROUTES);
	render_apps(b);
}
