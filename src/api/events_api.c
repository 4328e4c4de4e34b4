/* GET /api/v1/events: the security events of the caller's account and of
 * its apps (docs/REFERENCE.md §20), newest first. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "core/apps.h"
#include "core/events.h"

static json_t *
event_json(const void *p)
{
	const struct event_row *row = p;
	json_t *detail = json_loads(row->detail, 0, NULL);

	if (detail == NULL || !json_is_object(detail)) {
		json_decref(detail);
		detail = json_object();
	}
	return json_pack("{s:o, s:o, s:s, s:s, s:o, s:o}", "id",
	    api_id(row->id), "at", json_time(row->at), "kind",
	    event_kind_name(row->kind), "address", row->address, "app",
	    row->app[0] != '\0' ? json_string(row->app) : json_null(),
	    "detail", detail);
}

static int64_t
event_key(const void *row)
{
	return ((const struct event_row *)row)->id;
}

enum { F_KIND, F_APP, F_COUNT };

/* The filters into f and their text for the next page's Link into query
 * (size len). Answers 400 or 404 itself and returns false. */
static bool
filters(struct request *req, struct response *res, int64_t account_id,
    const struct str *v, struct event_filter *f, char *query, size_t len)
{
	struct app_row *app;
	enum event_kind k;
	char kind[32];
	int rc;

	f->kind = -1;
	f->app_id = 0;
	query[0] = '\0';
	if (v[F_KIND].p != NULL) {
		snprintf(kind, sizeof(kind), "%.*s", (int)v[F_KIND].len,
		    v[F_KIND].p);
		if (v[F_KIND].len >= sizeof(kind) ||
		    strlen(kind) != v[F_KIND].len ||
		    !event_kind_parse(kind, &k)) {
			response_json_error(res, 400, "invalid_request",
			    "kind must be the name of an event kind "
			    "(docs/REFERENCE.md §20).");
			return false;
		}
		f->kind = (int)k;
		snprintf(query, len, "kind=%s", kind);
	}
	if (v[F_APP].p == NULL)
		return true;
	/* an app the caller does not own is one it cannot see */
	app = xmalloc(sizeof(*app));
	rc = apps_get(req->kg, account_id, v[F_APP], app);
	if (rc == 0) {
		f->app_id = app->id;
		snprintf(query + strlen(query), len - strlen(query), "%sapp=%s",
		    query[0] != '\0' ? "&" : "", app->api_key);
	} else if (rc == ERR_NOTFOUND) {
		api_app_not_found(res);
	} else {
		api_unavailable(res);
	}
	free(app);
	return rc == 0;
}

/* GET /api/v1/events?kind=&app=&limit=&cursor= →
 * [{"id","at","kind","address","app","detail"}], newest first */
void
api_events_list(struct request *req, struct response *res)
{
	static const struct param_spec spec[F_COUNT] = {
		{ "kind", 32, false },
		{ "app", APP_API_KEY_MAX_BYTES, false },
	};
	struct event_row *rows = NULL;
	struct event_filter f;
	struct store_page page;
	struct str v[F_COUNT];
	char *query;
	int64_t account_id;
	size_t n = 0;

	if (!api_account(req, res, &account_id) ||
	    !api_page_read_filtered(req, res, &page, spec, F_COUNT, v,
	    "This list takes only the parameters kind, app, limit and "
	    "cursor."))
		return;
	query = arena_alloc(req->arena, 64 + APP_API_KEY_MAX_BYTES);
	if (!filters(req, res, account_id, v, &f, query,
	    64 + APP_API_KEY_MAX_BYTES))
		return;
	if (events_list(req->kg, account_id, &f, page.after, page.max,
	    &rows, &n) != 0) {
		api_unavailable(res);
		return;
	}
	api_page_answer(req, res, &page, &(struct api_list){
	    "/api/v1/events", rows, sizeof(*rows), n, event_json, event_key,
	    query });
	free(rows);
}
