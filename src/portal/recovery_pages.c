/* The pages a mailed link leads to, and the one that mails it: "forgot
 * password" (/password/forgot), the new password (/password/reset) and
 * the address's confirmation (/verify-email). A link's GET only shows a
 * form; its POST uses the link up, so a mail scanner that fetches links
 * changes nothing. */
#include "portal/pages.h"

#include <stdio.h>

#include "base/err.h"
#include "core/recovery.h"
#include "core/verification.h"
#include "portal/page.h"

static const struct param_spec token_query[] = {
	{ "token", TOKEN_MAX_BYTES, true },
};

/* ?token= and nothing else; STR_NULL for a query without it, or with a
 * token that is repeated, too long or not what a link holds (the core
 * judges the last). */
static struct str
query_token(struct request *req)
{
	struct params ps;
	struct str token = STR_NULL;
	const char *bad;

	if (request_query(req, &ps) != 0 ||
	    params_bind(&ps, token_query, 1, false, &token, &bad) != 0)
		return STR_NULL;
	return token;
}

/* A link that is not (or no longer) one: 400 for any reason, which the
 * page does not tell apart beyond used/expired and malformed. */
static void
bad_link(struct request *req, struct response *res, const struct visitor *v,
    int rc, const char *again)
{
	char msg[240];

	if (rc == ERR_STORE) {
		page_unavailable(req, res, v);
		return;
	}
	snprintf(msg, sizeof(msg), "This link is %s. %s",
	    rc == ERR_EXPIRED ? "too old" :
	    "not valid: it was used already, replaced by a newer one, or "
	    "copied only in part", again);
	page_message(req, res, 400, v, "This link does not work", msg);
}

static void
forgot_render(struct request *req, struct response *res, int status,
    const struct visitor *v, struct str email, const char *error,
    const char *notice)
{
	struct buf nb;

	buf_init(&nb, 1024);
	page_notice(&nb, notice);
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "email", email },
		{ "email_error", str_from(error) },
		{ "notice", buf_str(&nb) },
	};
	page_render(req, res, status, v, "Forgot password", "forgot.html",
	    vars, 4);
	buf_release(&nb);
}

/* GET /password/forgot */
void
portal_forgot_form(struct request *req, struct response *res)
{
	struct visitor v;

	if (page_visitor_or_fail(req, res, &v))
		forgot_render(req, res, 200, &v, STR_NULL, NULL, NULL);
}

static void
forgot_after(struct keygate *kg, void *norm)
{
	recovery_forgot_submit(kg, norm);
}

/* POST /password/forgot: the same page whether or not an account has the
 * address, which is looked up once the page has gone out
 * (recovery_forgot()): the lookup, the link and its mail run on the
 * reset worker beside nothing of the answer's. */
void
portal_forgot(struct request *req, struct response *res)
{
	static const struct param_spec spec[] = {
		{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
		{ "email", 1024, false },
	};
	struct visitor v;
	struct str f[2];
	const char *reason = NULL;
	char msg[160], norm[ACCOUNT_EMAIL_MAX_BYTES + 1];
	int64_t wait = 0;
	int rc;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_form(req, res, &v, spec, 2, f))
		return;
	rc = recovery_forgot(req->kg, req->client_addr, f[1], norm, &reason,
	    &wait);
	if (rc == 0) {
		struct tmpl_var var = { "email", f[1] };

		page_render(req, res, 200, &v, "Check your mail",
		    "forgot_sent.html", &var, 1);
		response_after(res, forgot_after,
		    arena_strdup(req->arena, str_from(norm)));
	} else if (rc == ERR_INVALID) {
		forgot_render(req, res, 422, &v, f[1], reason, NULL);
	} else if (rc == ERR_THROTTLED) {
		page_try_again(res, wait, "Too many requests for a new "
		    "password.", msg, sizeof(msg));
		forgot_render(req, res, 429, &v, f[1], NULL, msg);
	} else {
		page_unavailable(req, res, &v);
	}
}

static void
reset_render(struct request *req, struct response *res, int status,
    const struct visitor *v, struct str token, const char *error)
{
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "token", token },
		{ "password_error", str_from(error) },
		{ "notice", STR_NULL },
	};

	page_render(req, res, status, v, "New password", "reset.html", vars,
	    4);
}

static const char again_reset[] = "Ask for a new one from the log-in "
    "page (\"Forgot your password?\").";

/* GET /password/reset?token= */
void
portal_reset_form(struct request *req, struct response *res)
{
	struct visitor v;
	struct str token;
	int rc;

	if (!page_visitor_or_fail(req, res, &v))
		return;
	token = query_token(req);
	rc = recovery_reset_peek(req->kg, token);
	if (rc != 0)
		bad_link(req, res, &v, rc, again_reset);
	else
		reset_render(req, res, 200, &v, token, NULL);
}

/* POST /password/reset: uses the link up, sets the password, ends every
 * session (this browser's too, if it had one). */
void
portal_reset(struct request *req, struct response *res)
{
	static const struct param_spec spec[] = {
		{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
		{ "token", TOKEN_MAX_BYTES, false },
		{ "password", ACCOUNT_PASSWORD_MAX_BYTES * 4, false },
	};
	struct visitor v;
	struct str f[3];
	const char *reason = NULL;
	int rc;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_form(req, res, &v, spec, 3, f))
		return;
	rc = recovery_reset(req->kg, req->client_addr, f[1], f[2], &reason);
	if (rc == ERR_INVALID) {
		reset_render(req, res, 422, &v, f[1], reason);
	} else if (rc != 0) {
		bad_link(req, res, &v, rc, again_reset);
	} else {
		struct tmpl_var vars[] = {
			{ "heading", STR_LIT("Password changed") },
			{ "message", STR_LIT("Your password was changed, and "
			    "every browser logged in to your account was "
			    "logged out.") },
			{ "next", STR_LIT("/login") },
			{ "next_label", STR_LIT("Log in") },
		};

		if (v.logged_in)
			response_cookie(res, PORTAL_SESSION_COOKIE, "", "/", 0,
			    req->kg->cfg->secure_cookies);
		v.logged_in = false;
		page_render(req, res, 200, &v, "Password changed",
		    "link_done.html", vars, 4);
	}
}

static const char again_verify[] = "Have a new one sent from your account "
    "page.";

/* GET /verify-email?token= */
void
portal_verify_form(struct request *req, struct response *res)
{
	struct visitor v;
	struct link_row link;
	struct str token;
	int rc;

	if (!page_visitor_or_fail(req, res, &v))
		return;
	token = query_token(req);
	rc = verification_peek(req->kg, token, &link);
	if (rc != 0) {
		bad_link(req, res, &v, rc, again_verify);
		return;
	}
	bool moving = link.purpose == STORE_LINK_EMAIL;
	struct tmpl_var vars[] = {
		{ "heading", moving ? STR_LIT("Confirm your new email address")
		    : STR_LIT("Confirm your email address") },
		{ "message", moving ? STR_LIT("Your account's email address "
		    "becomes this one when you confirm.") :
		    STR_LIT("Confirm that this address is yours.") },
		{ "csrf", str_from(v.csrf) },
		{ "token", token },
		{ "button", STR_LIT("Confirm") },
	};
	page_render(req, res, 200, &v, "Confirm your email", "verify.html",
	    vars, 5);
}

/* POST /verify-email */
void
portal_verify(struct request *req, struct response *res)
{
	static const struct param_spec spec[] = {
		{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
		{ "token", TOKEN_MAX_BYTES, false },
	};
	struct visitor v;
	struct link_row link;
	struct str f[2];
	int rc;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_form(req, res, &v, spec, 2, f))
		return;
	rc = verification_confirm(req->kg, req->client_addr, f[1], &link);
	if (rc == ERR_EXISTS) {
		page_message(req, res, 409, &v, "This address is taken",
		    "Another account has this email address now, so yours "
		    "stays as it was.");
		return;
	}
	if (rc != 0) {
		bad_link(req, res, &v, rc, again_verify);
		return;
	}
	/* the navigation shows the address as it now is */
	if (v.logged_in && v.account.id == link.account_id)
		accounts_get(req->kg, link.account_id, &v.account);
	char msg[ACCOUNT_EMAIL_MAX_BYTES + 80];

	snprintf(msg, sizeof(msg), "%s is confirmed as your account's email "
	    "address.", link.email);
	struct tmpl_var vars[] = {
		{ "heading", STR_LIT("Email address confirmed") },
		{ "message", str_from(msg) },
		{ "next",
		    v.logged_in ? STR_LIT("/account") : STR_LIT("/login") },
		{ "next_label", v.logged_in ? STR_LIT("Your account") :
		    STR_LIT("Log in") },
	};
	page_render(req, res, 200, &v, "Email confirmed", "link_done.html",
	    vars, 4);
}
