#include "portal/page.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/accounts.h"
#include "core/apps.h"
#include "base/clock.h"
#include "core/cursor.h"
#include "core/device.h"
#include "core/scopes.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/sessions.h"
#include "base/limits.h"
#include <stdio.h>

#define CSRF_COOKIE_MAX_AGE_S	(7 * 24 * 3600)
#define CSRF_COOKIE_BYTES	32
#define CSRF_COOKIE_CHARS	43	/* base64url of 32 bytes */

int
page_visitor(struct request *req, struct response *res, struct visitor *v)
{
	struct keygate *kg = req->kg;
	struct str binding = STR_NULL;
	struct session_row s;
	int rc;

	memset(v, 0, sizeof(*v));
	if (request_cookie(req, PORTAL_SESSION_COOKIE, &v->session) == 0) {
		rc = sessions_resolve(kg, v->session, &s);
		if (rc == 0) {
			rc = accounts_get(kg, s.account_id, &v->account);
			v->auth_time = s.auth_time;
			v->amr = s.amr;
		}
		if (rc == ERR_STORE)
			return rc;
		v->logged_in = rc == 0;
	}
	if (v->logged_in) {
		binding = v->session;
	} else if (request_cookie(req, PORTAL_CSRF_COOKIE, &binding) != 0 ||
	    binding.len != CSRF_COOKIE_CHARS) {
		unsigned char raw[CSRF_COOKIE_BYTES];
		char *fresh = arena_alloc(req->arena, CSRF_TOKEN_BYTES);

		secure_random(raw, sizeof(raw));
		sodium_bin2base64(fresh, CSRF_TOKEN_BYTES, raw, sizeof(raw),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		binding = str_from(fresh);
		response_cookie(res, PORTAL_CSRF_COOKIE, fresh, "/",
		    CSRF_COOKIE_MAX_AGE_S, kg->cfg->secure_cookies);
	}
	csrf_token(kg->csrf_key, binding, v->csrf);
	return 0;
}

bool
page_csrf_ok(struct request *req, const struct visitor *v, struct str token)
{
	struct str binding = v->session;

	if (!v->logged_in && request_cookie(req, PORTAL_CSRF_COOKIE,
	    &binding) != 0)
		return false;
	return csrf_verify(req->kg->csrf_key, binding, token);
}

void
page_render(struct request *req, struct response *res, int status,
    const struct visitor *v, const char *title, const char *name,
    const struct tmpl_var *vars, size_t nvars)
{
	struct str brand = str_from(req->kg->cfg->brand);
	struct buf body, nav, page;
	int rc;

	buf_init(&body, RESPONSE_MAX_BODY_BYTES);
	buf_init(&nav, 4096);
	buf_init(&page, RESPONSE_MAX_BODY_BYTES);
	rc = template_render(&body, name, vars, nvars);
	if (rc == 0 && v->logged_in) {
		struct tmpl_var nv[] = {
			{ "email", str_from(v->account.email) },
			{ "csrf", str_from(v->csrf) },
		};
		rc = template_render(&nav, "nav_in.html", nv, 2);
	} else if (rc == 0) {
		rc = template_render(&nav, "nav_out.html", NULL, 0);
	}
	if (rc == 0) {
		struct tmpl_var lv[] = {
			{ "title", str_from(title) },
			{ "brand", brand },
			{ "nav", buf_str(&nav) },
			{ "body", buf_str(&body) },
		};
		rc = template_render(&page, "layout.html", lv, 4);
	}
	if (rc != 0 || page.err != 0)
		response_html(res, 500, STR_LIT("<!doctype html><title>Error"
		    "</title><h1>Something went wrong</h1>"));
	else
		response_html(res, status, buf_str(&page));
	buf_release(&body);
	buf_release(&nav);
	buf_release(&page);
}

void
page_message(struct request *req, struct response *res, int status,
    const struct visitor *v, const char *heading, const char *message)
{
	struct tmpl_var vars[] = {
		{ "heading", str_from(heading) },
		{ "message", str_from(message) },
	};

	page_render(req, res, status, v, heading, "message.html", vars, 2);
}

bool
page_list_query(struct request *req, struct response *res,
    const struct visitor *v, struct store_page *page)
{
	static const struct param_spec spec[] = {
		{ "cursor", CURSOR_TEXT_BYTES, false },
	};
	struct params ps;
	struct str cursor;
	const char *bad;

	page->after = 0;
	page->max = LIST_MAX_LIMIT + 1;
	if (request_query(req, &ps) != 0 ||
	    params_bind(&ps, spec, 1, false, &cursor, &bad) != 0 ||
	    (cursor.p != NULL && cursor_decode(cursor, &page->after) != 0)) {
		page_message(req, res, 400, v, "Bad request",
		    "This address is not one of the list's pages.");
		return false;
	}
	return true;
}

void
page_next_link(struct buf *out, const char *path, int64_t last)
{
	char cursor[CURSOR_TEXT_BYTES], href[128];

	cursor_encode(last, cursor);
	snprintf(href, sizeof(href), "%s?cursor=%s", path, cursor);
	struct tmpl_var var = { "href", str_from(href) };
	template_render(out, "list_more.html", &var, 1);
}

void
page_unverified(struct request *req, struct response *res,
    const struct visitor *v)
{
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "email", str_from(v->account.email) },
	};

	page_render(req, res, 403, v, "Verify your email address",
	    "unverified.html", vars, 2);
}

void
page_csrf_refused(struct request *req, struct response *res,
    const struct visitor *v)
{
	page_message(req, res, 403, v, "Form expired",
	    "This form was missing its security token or it no longer "
	    "matches. Go back, reload the page and try again.");
}

bool
page_visitor_or_fail(struct request *req, struct response *res,
    struct visitor *v)
{
	if (page_visitor(req, res, v) == 0)
		return true;
	memset(v, 0, sizeof(*v));
	page_unavailable(req, res, v);
	return false;
}

void
page_unavailable(struct request *req, struct response *res,
    const struct visitor *v)
{
	page_message(req, res, 503, v, "Try again soon",
	    "The service cannot reach its data store right now.");
}

static void
bad_form(struct request *req, struct response *res, const struct visitor *v,
    int rc, const char *name)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "The form could not be read (%s%s%.40s). "
	    "Reload the page and try again.", err_name(rc),
	    name != NULL ? ": " : "", name != NULL ? name : "");
	page_message(req, res, rc == ERR_INVALID ? 415 : 400, v,
	    "Bad request", msg);
}

bool
page_form(struct request *req, struct response *res, const struct visitor *v,
    const struct param_spec *spec, size_t nspec, struct str *values)
{
	struct params ps;
	const char *bad = NULL;
	struct str csrf = STR_NULL;
	int rc = request_form(req, &ps);

	if (rc == 0)
		rc = params_bind(&ps, spec, nspec, false, values, &bad);
	if (rc != 0) {
		bad_form(req, res, v, rc, bad);
		return false;
	}
	for (size_t i = 0; i < nspec; i++)
		if (strcmp(spec[i].name, "csrf_token") == 0)
			csrf = values[i];
	if (!page_csrf_ok(req, v, csrf)) {
		page_csrf_refused(req, res, v);
		return false;
	}
	return true;
}

int
page_begin_session(struct request *req, struct response *res,
    const struct visitor *v, int64_t account_id, unsigned amr)
{
	char token[TOKEN_MAX_BYTES + 1];
	int rc;

	if (v->logged_in)
		sessions_end(req->kg, v->session);
	rc = sessions_start(req->kg, account_id, amr, req->client_addr,
	    request_header(req, "User-Agent"), token);
	if (rc == 0)
		response_cookie(res, PORTAL_SESSION_COOKIE, token, "/",
		    SESSION_MAX_TTL_S, req->kg->cfg->secure_cookies);
	sodium_memzero(token, sizeof(token));
	return rc;
}

void
page_login_origin(struct request *req, struct login_origin *out)
{
	out->addr = req->client_addr;
	out->browser = true;
	if (request_cookie(req, PORTAL_DEVICE_COOKIE, &out->device) != 0)
		out->device = STR_NULL;
}

void
page_device_cookie(struct request *req, struct response *res,
    int64_t account_id)
{
	char value[DEVICE_COOKIE_BYTES];

	device_cookie_make(req->kg, account_id, clock_now(req->kg->clock),
	    value);
	if (value[0] != '\0')
		response_cookie(res, PORTAL_DEVICE_COOKIE, value, "/",
		    DEVICE_COOKIE_TTL_S, req->kg->cfg->secure_cookies);
}

void
page_retry_after(struct response *res, int64_t seconds)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)seconds);
	response_header(res, "Retry-After", num);
}

void
page_try_again(struct response *res, int64_t wait, const char *what,
    char *out, size_t len)
{
	long long m = (long long)(wait + 59) / 60;

	page_retry_after(res, wait);
	snprintf(out, len, "%s Try again in %lld minute%s.", what, m,
	    m == 1 ? "" : "s");
}

void
page_notice(struct buf *out, const char *message)
{
	struct tmpl_var var = { "message", str_from(message) };

	if (message != NULL)
		template_render(out, "notice.html", &var, 1);
}

bool
page_require_login(struct request *req, struct response *res,
    const struct visitor *v)
{
	struct buf loc;

	if (v->logged_in)
		return true;
	/* Route paths hold only [A-Za-z0-9_/-]: safe in a query as is. */
	buf_init(&loc, 256);
	buf_puts(&loc, "/login?next=");
	buf_putstr(&loc, req->path);
	response_redirect(res, 303, loc.err == 0 ? loc.p : "/login");
	buf_release(&loc);
	return false;
}

void
page_date(int64_t t, char out[32])
{
	clock_rfc3339(t, out);
	out[10] = '\0';
}

bool
page_own_app(struct request *req, struct response *res, struct visitor *v,
    struct app_row *row)
{
	int rc;

	if (!page_visitor_or_fail(req, res, v) ||
	    !page_require_login(req, res, v))
		return false;
	rc = apps_get(req->kg, v->account.id, req->route_params[0], row);
	if (rc == ERR_NOTFOUND)
		page_message(req, res, 404, v, "Not found",
		    "You have no application with this API key.");
	else if (rc != 0)
		page_unavailable(req, res, v);
	return rc == 0;
}

void
page_app_confirm(struct request *req, struct response *res,
    const char *title, const char *name)
{
	struct app_row *row = xmalloc(sizeof(*row));
	struct visitor v;

	if (page_own_app(req, res, &v, row)) {
		struct tmpl_var vars[] = {
			{ "csrf", str_from(v.csrf) },
			{ "api_key", str_from(row->api_key) },
			{ "name", str_from(row->name) },
		};
		page_render(req, res, 200, &v, title, name, vars, 3);
	}
	free(row);
}

void
page_success(struct buf *out, const char *message)
{
	struct tmpl_var var = { "message", str_from(message) };

	if (message != NULL)
		template_render(out, "success.html", &var, 1);
}

void
page_error(struct request *req, struct response *res, int status,
    const char *title, const char *detail)
{
	struct visitor v;

	if (page_visitor(req, res, &v) != 0)
		memset(&v, 0, sizeof(v));
	page_message(req, res, status, &v, title, detail);
}

/* A local path to return to after log-in; anything else becomes "/". Only
 * "/x..." is local: "//host" and "/\host" lead a browser to other sites. */
const char *
page_safe_next(struct request *req, struct str next)
{
	if (next.len == 0 || next.p[0] != '/' ||
	    (next.len > 1 && (next.p[1] == '/' || next.p[1] == '\\')))
		return "/";
	for (size_t i = 0; i < next.len; i++)
		if ((unsigned char)next.p[i] <= 0x20 ||
		    (unsigned char)next.p[i] >= 0x7f || next.p[i] == '\\')
			return "/";
	return arena_strdup(req->arena, next);
}

void
page_scopes(struct buf *out, unsigned scope)
{
	const struct scope_table *t = scopes_now();

	for (size_t k = 0; k < t->nscopes; k++) {
		if (!(scope & t->scopes[k].bit))
			continue;
		struct tmpl_var vars[] = {
			{ "name", str_from(t->scopes[k].name) },
			{ "description",
			    str_from(t->scopes[k].description) },
		};
		template_render(out, "grant_scope.html", vars, 2);
	}
	/* the registered resources the token opens (§22.1), by address */
	for (size_t k = 1; k < t->nresources; k++) {
		if (!(scope & t->resources[k].bit))
			continue;
		struct tmpl_var vars[] = {
			{ "name", str_from(t->resources[k].uri) },
			{ "description", str_from(t->resources[k].name) },
		};
		template_render(out, "grant_scope.html", vars, 2);
	}
}

void
page_logo(struct buf *out, const struct app_row *app)
{
	struct tmpl_var vars[] = {
		{ "url", str_from(app->logo_url) },
		{ "alt", str_from(app->public_name) },
	};

	if (app->logo_url[0] != '\0')
		template_render(out, "grant_logo.html", vars, 2);
}
