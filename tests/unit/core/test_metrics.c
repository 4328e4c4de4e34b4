#include "base/metrics.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static char *
render(void)
{
	struct buf b;
	size_t len;

	buf_init(&b, 1 << 20);
	metrics_render(&b);
	cr_assert_eq(b.err, 0);
	return buf_detach(&b, &len);
}

static bool
has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p += n;
	}
	return false;
}

Test(metrics, requests_by_route_status_and_cumulative_buckets)
{
	char *text;

	metrics_route_name(0, "GET", "/oauth2/check");
	metrics_request(0, 200, 50);		/* le 0.0001 */
	metrics_request(0, 200, 3000);		/* le 0.005 */
	metrics_request(0, 418, 10);		/* no slot: its class */
	metrics_request(999, 404, 10);		/* unmatched */
	text = render();
	cr_assert(has_line(text, "keygate_http_requests_total{method=\"GET\","
	    "route=\"/oauth2/check\",status=\"200\"} 2"), "%s", text);
	cr_assert(has_line(text, "keygate_http_requests_total{method=\"GET\","
	    "route=\"/oauth2/check\",status=\"4xx\"} 1"), "%s", text);
	cr_assert(has_line(text, "keygate_http_requests_total{method=\"\","
	    "route=\"unmatched\",status=\"404\"} 1"), "%s", text);
	cr_assert(has_line(text, "keygate_http_request_duration_seconds_bucket"
	    "{method=\"GET\",route=\"/oauth2/check\",le=\"0.0001\"} 2"));
	cr_assert(has_line(text, "keygate_http_request_duration_seconds_bucket"
	    "{method=\"GET\",route=\"/oauth2/check\",le=\"0.0025\"} 2"));
	cr_assert(has_line(text, "keygate_http_request_duration_seconds_bucket"
	    "{method=\"GET\",route=\"/oauth2/check\",le=\"0.005\"} 3"));
	cr_assert(has_line(text, "keygate_http_request_duration_seconds_sum"
	    "{method=\"GET\",route=\"/oauth2/check\"} 0.003060"), "%s", text);
	free(text);
}

static void *
count_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++)
		metrics_inc(METRIC_CACHE_HITS);
	return NULL;
}

/* Threads count on shards of their own; the sum loses nothing. */
Test(metrics, threads_lose_no_count)
{
	pthread_t t[20];
	uint64_t before = metrics_get(METRIC_CACHE_HITS);

	for (int i = 0; i < 20; i++)
		pthread_create(&t[i], NULL, count_many, NULL);
	for (int i = 0; i < 20; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(metrics_get(METRIC_CACHE_HITS) - before, 2000000);
}

Test(metrics, every_counter_has_help_and_type)
{
	char *text;

	metrics_inc(METRIC_REFRESH_REUSE);
	text = render();
	cr_assert(has_line(text, "# TYPE keygate_refresh_reuse_detected_total "
	    "counter"));
	cr_assert(has_line(text, "keygate_refresh_reuse_detected_total 1"));
	cr_assert(has_line(text, "# TYPE keygate_store_duration_seconds "
	    "histogram"));
	free(text);
}
