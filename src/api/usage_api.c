/* GET /api/v1/apps/{api_key}/usage (docs/REFERENCE.md §21): an app's
 * counts by hour, as JSON. */
#include <stdlib.h>

#include "api/api.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/apps.h"
#include "core/usage.h"
#include "http/form.h"

#define DEFAULT_HOURS	(7 * 24)
/* 9999-12-31T23:00:00Z: what a year of four digits reaches */
#define LATEST		253402297200LL

/* An RFC 3339 UTC time or Unix seconds. */
static bool
read_time(struct str v, int64_t *out)
{
	long long t;

	if (v.len > 0 && v.p[0] >= '0' && v.p[0] <= '9' && v.len <= 12 &&
	    str_to_i64(v, 0, LATEST, &t) == 0) {
		*out = t;
		return true;
	}
	return clock_parse_rfc3339(v.p, v.len, out);
}

static void
bad_range(struct response *res, const char *why)
{
	response_json_error(res, 400, "invalid_request", why);
}

/* from and to, each rounded down to its hour; answers 400 itself. */
static bool
read_range(struct request *req, struct response *res, int64_t *from,
    int64_t *to)
{
	static const struct param_spec spec[] = {
		{ "from", 32, false },
		{ "to", 32, false },
	};
	struct params ps;
	struct str v[2];
	const char *bad = NULL;
	int64_t now = clock_now(req->kg->clock);

	if (request_query(req, &ps) != 0 ||
	    params_bind(&ps, spec, 2, false, v, &bad) != 0 ||
	    (v[0].p != NULL && !read_time(v[0], from)) ||
	    (v[1].p != NULL && !read_time(v[1], to))) {
		bad_range(res, "from and to are each an RFC 3339 UTC time "
		    "(2026-12-07T13:00:00Z) or Unix seconds, given at most "
		    "once; no other parameter is taken.");
		return false;
	}
	if (v[1].p == NULL)
		*to = now;
	*to -= *to % USAGE_HOUR;
	/* the default's start, before 1970 for an early to, is 1970 */
	if (v[0].p == NULL && (*from = *to - (DEFAULT_HOURS - 1) *
	    USAGE_HOUR) < 0)
		*from = 0;
	*from -= *from % USAGE_HOUR;
	if (*from > *to || (*to - *from) / USAGE_HOUR + 1 > USAGE_MAX_HOURS) {
		bad_range(res, "from must not follow to, and the two may span "
		    "at most 31 days (744 hours).");
		return false;
	}
	return true;
}

/* json_time() writes 0 as null ("never"); here it is 1970's first hour */
static json_t *
stamp(int64_t t)
{
	char s[32];

	clock_rfc3339(t, s);
	return json_string(s);
}

static json_t *
hour_json(const struct usage_hour *h)
{
	json_t *o = json_object();

	json_object_set_new(o, "hour", stamp(h->hour));
	for (int k = 0; k < USAGE_KINDS; k++)
		json_object_set_new(o, usage_kind_names[k],
		    json_integer(h->n[k]));
	json_object_set_new(o, "live_users", json_integer(h->live_users));
	return o;
}

static void
answer(struct response *res, const struct app_row *app, int64_t from,
    int64_t to, const struct usage_hour *hours, size_t n)
{
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, hour_json(&hours[i]));
	response_json(res, 200, json_pack("{s:s, s:o, s:o, s:o}", "app",
	    app->api_key, "from", stamp(from), "to", stamp(to),
	    "hours", list));
}

/* GET /api/v1/apps/{api_key}/usage?from=&to= */
void
api_apps_usage(struct request *req, struct response *res)
{
	struct app_row *app = xmalloc(sizeof(*app));
	struct usage_hour *hours = NULL;
	int64_t account_id, from = 0, to = 0;
	size_t n = 0;
	int rc;

	if (!api_account(req, res, &account_id))
		goto out;
	rc = apps_get(req->kg, account_id, req->route_params[0], app);
	if (rc == ERR_NOTFOUND) {
		api_app_not_found(res);
		goto out;
	}
	if (rc == 0 && !read_range(req, res, &from, &to))
		goto out;
	if (rc == 0)
		rc = usage_hours(req->kg, app->id, from, to, &hours, &n);
	if (rc == ERR_INVALID)
		bad_range(res, "from and to make no range of hours.");
	else if (rc != 0)
		api_unavailable(res);
	else
		answer(res, app, from, to, hours, n);
out:
	free(hours);
	free(app);
}
