/* My Applications and New Application. */
#include "portal/pages.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/apps.h"
#include "base/err.h"
#include "base/mem.h"
#include "portal/page.h"

static const struct param_spec new_app_form[] = {
	{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	{ "name", APP_NAME_MAX_BYTES * 4, false },
};

static void
render_rows(struct buf *out, const struct app_row *rows, size_t n)
{
	struct buf body;

	if (n == 0) {
		template_render(out, "apps_empty.html", NULL, 0);
		return;
	}
	buf_init(&body, RESPONSE_MAX_BODY_BYTES);
	for (size_t i = 0; i < n; i++) {
		char created[32];

		page_date(rows[i].created_at, created);
		struct tmpl_var vars[] = {
			{ "api_key", str_from(rows[i].api_key) },
			{ "name", str_from(rows[i].name) },
			{ "created", str_from(created) },
			{ "secret", str_from(rows[i].has_secret ? "set" :
			    "none yet") },
		};
		template_render(&body, "apps_row.html", vars, 4);
	}
	struct tmpl_var table = { "rows", buf_str(&body) };
	template_render(out, "apps_table.html", &table, 1);
	buf_release(&body);
}

/* GET /apps[?cursor=]: LIST_MAX_LIMIT apps a page, so the default
 * --max-apps fits one, and a larger one a few. */
void
portal_apps(struct request *req, struct response *res)
{
	struct visitor v;
	struct app_row *rows = NULL;
	struct store_page page;
	size_t n = 0;
	struct buf list;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_require_login(req, res, &v) ||
	    !page_list_query(req, res, &v, &page))
		return;
	if (apps_list(req->kg, v.account.id, &page, &rows, &n) != 0) {
		page_unavailable(req, res, &v);
		return;
	}
	buf_init(&list, RESPONSE_MAX_BODY_BYTES);
	render_rows(&list, rows, n < page.max ? n : page.max - 1);
	if (n == page.max)
		page_next_link(&list, "/apps", rows[n - 2].id);
	free(rows);
	struct tmpl_var var = { "rows", buf_str(&list) };
	page_render(req, res, 200, &v, "My Applications", "apps.html", &var, 1);
	buf_release(&list);
}

static void
render_new(struct request *req, struct response *res, int status,
    const struct visitor *v, struct str name, const char *error)
{
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "name", name },
		{ "name_error", str_from(error) },
	};

	page_render(req, res, status, v, "New Application", "app_new.html",
	    vars, 3);
}

/* GET /apps/new */
void
portal_app_new(struct request *req, struct response *res)
{
	struct visitor v;

	if (page_visitor_or_fail(req, res, &v) &&
	    page_require_login(req, res, &v))
		render_new(req, res, 200, &v, STR_NULL, NULL);
}

/* POST /apps: creates the app, then shows its page. */
void
portal_app_create(struct request *req, struct response *res)
{
	struct visitor v;
	struct str f[2];
	struct app_fields fields = { 0 };
	struct app_errors errs;
	struct app_row *row;
	int rc;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_require_login(req, res, &v) ||
	    !page_form(req, res, &v, new_app_form, 2, f))
		return;
	fields.has_name = true;
	fields.name = f[1];
	row = xmalloc(sizeof(*row));
	rc = apps_create(req->kg, v.account.id, req->client_addr, &fields, row,
	    &errs);
	if (rc == 0) {
		char *loc = arena_alloc(req->arena, sizeof(row->api_key) + 8);

		snprintf(loc, sizeof(row->api_key) + 8, "/apps/%s",
		    row->api_key);
		response_redirect(res, 303, loc);
	} else if (rc == ERR_INVALID) {
		render_new(req, res, 422, &v, f[1], errs.name);
	} else if (rc == ERR_TOOBIG) {
		char why[160];

		render_new(req, res, 422, &v, f[1], apps_too_many(req->kg, why,
		    sizeof(why)));
	} else if (rc == ERR_FORBIDDEN) {
		page_unverified(req, res, &v);
	} else {
		page_unavailable(req, res, &v);
	}
	free(row);
}
