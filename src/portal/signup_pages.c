#include "portal/pages.h"

#include "core/accounts.h"
#include "base/err.h"
#include "portal/page.h"
#include "core/verification.h"

enum { F_CSRF, F_EMAIL, F_PASSWORD, F_COUNT };

static const struct param_spec signup_form[F_COUNT] = {
	[F_CSRF] = { "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	[F_EMAIL] = { "email", 1024, false },
	[F_PASSWORD] = { "password", ACCOUNT_PASSWORD_MAX_BYTES * 4, false },
};

static void
render(struct request *req, struct response *res, int status,
    const struct visitor *v, struct str email, const struct signup_errors *e,
    const char *notice)
{
	struct buf nb;

	buf_init(&nb, 1024);
	page_notice(&nb, notice);
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "email", email },
		{ "email_error", str_from(e != NULL ? e->email : NULL) },
		{ "password_error", str_from(e != NULL ? e->password : NULL) },
		{ "notice", buf_str(&nb) },
	};
	page_render(req, res, status, v, "Sign up", "signup.html", vars, 5);
	buf_release(&nb);
}

static void
closed(struct request *req, struct response *res, const struct visitor *v)
{
	page_message(req, res, 403, v, "Sign-up is closed",
	    "This server does not take new accounts. Ask its operator for "
	    "one.");
}

void
portal_signup_form(struct request *req, struct response *res)
{
	struct visitor v;

	if (!page_visitor_or_fail(req, res, &v))
		return;
	if (req->kg->cfg->no_signup)
		closed(req, res, &v);
	else
		render(req, res, 200, &v, STR_NULL, NULL, NULL);
}

void
portal_signup(struct request *req, struct response *res)
{
	struct visitor v;
	struct str f[F_COUNT];
	struct signup_errors errs;
	struct account acct;
	int64_t wait = 0;
	int rc;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_form(req, res, &v, signup_form, F_COUNT, f))
		return;
	rc = accounts_signup(req->kg, req->client_addr, f[F_EMAIL],
	    f[F_PASSWORD], &acct, &errs, &wait);
	if (rc == 0)
		rc = page_begin_session(req, res, &v, acct.id, AMR_PWD);
	switch (rc) {
	case 0:
		/* The account stands without its mail: the link can be
		 * sent again from the account page. */
		verification_start(req->kg, &acct);
		/* The browser that chose the password is the owner's. */
		page_device_cookie(req, res, acct.id);
		response_redirect(res, 303, "/");
		break;
	case ERR_FORBIDDEN:
		closed(req, res, &v);
		break;
	case ERR_THROTTLED:
		render(req, res, 429, &v, f[F_EMAIL], NULL,
		    "Too many sign-ups from your network. Try again later.");
		page_retry_after(res, wait);
		break;
	case ERR_INVALID:
		render(req, res, 422, &v, f[F_EMAIL], &errs, NULL);
		break;
	case ERR_EXISTS:
		render(req, res, 409, &v, f[F_EMAIL], &errs, NULL);
		break;
	default:
		page_unavailable(req, res, &v);
	}
}
