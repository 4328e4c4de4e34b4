/* Connected apps: the applications this account granted access. */
#include "portal/pages.h"

#include <stdlib.h>

#include "base/err.h"
#include "core/grants.h"
#include "core/scopes.h"
#include "portal/page.h"

static void
render_rows(struct buf *out, const struct visitor *v,
    const struct grant_row *rows, size_t n)
{
	struct buf body;

	if (n == 0) {
		template_render(out, "connections_empty.html", NULL, 0);
		return;
	}
	buf_init(&body, RESPONSE_MAX_BODY_BYTES);
	for (size_t i = 0; i < n; i++) {
		char since[32], scope[SCOPES_TEXT_MAX];

		page_date(rows[i].created_at, since);
		scopes_format(rows[i].scope, scope);
		struct tmpl_var vars[] = {
			{ "public_name", str_from(rows[i].public_name) },
			{ "scope", str_from(scope) },
			{ "since", str_from(since) },
			{ "api_key", str_from(rows[i].api_key) },
			{ "csrf", str_from(v->csrf) },
		};
		template_render(&body, "connections_row.html", vars, 5);
	}
	struct tmpl_var table = { "rows", buf_str(&body) };
	template_render(out, "connections_table.html", &table, 1);
	buf_release(&body);
}

/* GET /connections[?cursor=]: LIST_MAX_LIMIT grants a page */
void
portal_connections(struct request *req, struct response *res)
{
	struct visitor v;
	struct grant_row *rows = NULL;
	struct store_page page;
	size_t n = 0;
	struct buf list;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_require_login(req, res, &v) ||
	    !page_list_query(req, res, &v, &page))
		return;
	if (grants_list(req->kg, v.account.id, &page, &rows, &n) != 0) {
		page_unavailable(req, res, &v);
		return;
	}
	buf_init(&list, RESPONSE_MAX_BODY_BYTES);
	render_rows(&list, &v, rows, n < page.max ? n : page.max - 1);
	if (n == page.max)
		page_next_link(&list, "/connections", rows[n - 2].id);
	free(rows);
	struct tmpl_var var = { "rows", buf_str(&list) };
	page_render(req, res, 200, &v, "Connected apps", "connections.html",
	    &var, 1);
	buf_release(&list);
}

/* POST /connections/{api_key}/revoke */
void
portal_connection_revoke(struct request *req, struct response *res)
{
	static const struct param_spec spec[] = {
		{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	};
	struct visitor v;
	struct str csrf;
	int rc;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_require_login(req, res, &v) ||
	    !page_form(req, res, &v, spec, 1, &csrf))
		return;
	rc = grants_revoke(req->kg, v.account.id, req->client_addr,
	    req->route_params[0]);
	if (rc == 0)
		response_redirect(res, 303, "/connections");
	else if (rc == ERR_NOTFOUND)
		page_message(req, res, 404, &v, "Not found",
		    "This application has no access to your account.");
	else
		page_unavailable(req, res, &v);
}
