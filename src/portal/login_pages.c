#include "portal/pages.h"

#include <stdio.h>

#include "core/accounts.h"
#include "base/err.h"
#include "core/sessions.h"
#include "core/totp.h"
#include "portal/page.h"

/* room for an authorization request to come back to */
#define NEXT_MAX_BYTES	HTTP_MAX_URL_BYTES

enum { F_CSRF, F_EMAIL, F_PASSWORD, F_NEXT, F_COUNT };

static const struct param_spec login_form[F_COUNT] = {
	[F_CSRF] = { "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	[F_EMAIL] = { "email", 1024, false },
	[F_PASSWORD] = { "password", ACCOUNT_PASSWORD_MAX_BYTES * 4, false },
	[F_NEXT] = { "next", NEXT_MAX_BYTES, false },
};

static const struct param_spec logout_form[] = {
	{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
};

static void
render(struct request *req, struct response *res, int status,
    const struct visitor *v, struct str email, const char *next,
    const char *notice)
{
	struct buf nb;

	buf_init(&nb, 1024);
	page_notice(&nb, notice);
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "email", email },
		{ "next", str_from(next) },
		{ "notice", buf_str(&nb) },
	};
	page_render(req, res, status, v, "Log in", "login.html", vars, 4);
	buf_release(&nb);
}

void
portal_login_form(struct request *req, struct response *res)
{
	/* login_hint: an authorization request's (OpenID Connect), to fill
	 * the email field and nothing else */
	static const struct param_spec spec[] = {
		{ "next", NEXT_MAX_BYTES, false },
		{ "login_hint", 1024, false },
	};
	struct visitor v;
	struct params ps;
	struct str in[2] = { STR_NULL, STR_NULL };
	const char *bad;

	if (!page_visitor_or_fail(req, res, &v))
		return;
	/* Other query parameters are ignored: links from elsewhere carry
	 * tracking noise, and this page only reads these. */
	if (request_query(req, &ps) != 0 ||
	    params_bind(&ps, spec, 2, true, in, &bad) != 0)
		in[0] = in[1] = STR_NULL;
	if (v.logged_in)
		response_redirect(res, 303, page_safe_next(req, in[0]));
	else
		render(req, res, 200, &v, in[1], page_safe_next(req, in[0]),
		    NULL);
}

static void
throttled(struct request *req, struct response *res, const struct visitor *v,
    struct str email, const char *next, int64_t wait)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "Too many failed log-ins. Try again in "
	    "%lld minute%s.", (long long)(wait + 59) / 60,
	    (wait + 59) / 60 == 1 ? "" : "s");
	render(req, res, 429, v, email, next, msg);
	page_retry_after(res, wait);
}

void
portal_login(struct request *req, struct response *res)
{
	struct visitor v;
	struct str f[F_COUNT];
	struct account acct;
	struct login_origin from;
	const char *next;
	int64_t wait = 0;
	bool two_step = false;
	int rc;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_form(req, res, &v, login_form, F_COUNT, f))
		return;
	next = page_safe_next(req, f[F_NEXT]);
	page_login_origin(req, &from);
	rc = accounts_login(req->kg, &from, f[F_EMAIL], f[F_PASSWORD], &acct,
	    &wait);
	if (rc == 0)
		rc = totp_enabled(req->kg, acct.id, &two_step);
	if (rc == 0 && two_step) {
		/* no session yet: the code comes first (login_code_pages.c) */
		portal_login_code_ask(req, res, &v, acct.id, next);
		return;
	}
	if (rc == 0)
		rc = page_begin_session(req, res, &v, acct.id, AMR_PWD);
	switch (rc) {
	case 0:
		page_device_cookie(req, res, acct.id);
		response_redirect(res, 303, next);
		break;
	case ERR_AUTH:
		render(req, res, 401, &v, f[F_EMAIL], next,
		    "Wrong email or password.");
		break;
	case ERR_FORBIDDEN:
		render(req, res, 403, &v, f[F_EMAIL], next, ACCOUNTS_DISABLED);
		break;
	case ERR_THROTTLED:
		throttled(req, res, &v, f[F_EMAIL], next, wait);
		break;
	default:
		page_unavailable(req, res, &v);
	}
}

void
portal_logout(struct request *req, struct response *res)
{
	struct visitor v;
	struct str csrf;

	if (!page_visitor_or_fail(req, res, &v))
		return;
	if (!v.logged_in) {
		response_redirect(res, 303, "/");
		return;
	}
	if (!page_form(req, res, &v, logout_form, 1, &csrf))
		return;
	if (sessions_end(req->kg, v.session) != 0) {
		page_unavailable(req, res, &v);
		return;
	}
	response_cookie(res, PORTAL_SESSION_COOKIE, "", "/", 0,
	    req->kg->cfg->secure_cookies);
	response_redirect(res, 303, "/");
}
