/* Connected apps: the applications this account granted access. */
#include "portal/pages.h"

#include <stdlib.h>

#include "base/err.h"
#include "core/grants.h"
#include "core/scopes.h"
#include "portal/page.h"

/* An app's key as one path segment: a client metadata document's URL
 * (docs/REFERENCE.md §22.2) percent-encoded; an API key stays as it is. */
static void
path_segment(const char *key, char out[3 * APP_API_KEY_MAX_BYTES + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)key; *p != '\0';
	    p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~')
			out[o++] = (char)*p;
		else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
}

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
		char key[3 * APP_API_KEY_MAX_BYTES + 1];

		page_date(rows[i].created_at, since);
		path_segment(rows[i].api_key, key);
		scopes_format(rows[i].scope, scope);
		struct tmpl_var vars[] = {
			{ "public_name", str_from(rows[i].public_name) },
			{ "scope", str_from(scope) },
			{ "since", str_from(since) },
			{ "api_key", str_from(key) },
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
	    request_route_param(req, 0));
	if (rc == 0)
		response_redirect(res, 303, "/connections");
	else if (rc == ERR_NOTFOUND)
		page_message(req, res, 404, &v, "Not found",
		    "This application has no access to your account.");
	else
		page_unavailable(req, res, &v);
}
