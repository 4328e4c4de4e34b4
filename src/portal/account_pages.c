/* The account page (/account): the address and whether it is verified,
 * "send the link again", a new address, a new password, the sessions
 * (session_pages.c ends them), and the way to two-step log-in. */
#include "portal/account_pages.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/clock.h"
#include "base/err.h"
#include "core/recovery.h"
#include "core/sessions.h"
#include "core/user_agent.h"
#include "core/verification.h"
#include "portal/pages.h"

/* One row of the sessions table. */
static void
session_row(struct buf *out, const struct visitor *v,
    const struct session_row *s)
{
	char id[SESSION_ID_CHARS + 1], browser[USER_AGENT_LABEL_CHARS + 1];
	char created[32], seen[32];
	bool current = sessions_is(s, v->session);

	sessions_id(s, id);
	user_agent_describe(s->user_agent, browser);
	clock_rfc3339(s->created_at, created);
	clock_rfc3339(s->last_seen, seen);
	struct tmpl_var vars[] = {
		{ "current", current ? STR_LIT(" aria-current=\"true\"") :
		    STR_NULL },
		{ "marker", current ? STR_LIT(" <strong>(this session)"
		    "</strong>") : STR_NULL },
		{ "browser", str_from(browser) },
		{ "address", str_from(s->address[0] != '\0' ? s->address :
		    "unknown") },
		{ "created", str_from(created) },
		{ "seen", str_from(seen) },
		{ "id", str_from(id) },
		{ "csrf", str_from(v->csrf) },
	};
	template_render(out, "account_session.html", vars, 8);
}

/* The rows of the sessions table into out; ERR_STORE when they cannot be
 * read. */
static int
session_rows(struct request *req, const struct visitor *v, struct buf *out)
{
	struct session_row *rows = NULL;
	size_t n = 0;
	int rc;

	rc = sessions_list(req->kg, v->account.id, &rows, &n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		session_row(out, v, &rows[i]);
	free(rows);
	return rc;
}

void
account_page(struct request *req, struct response *res, int status,
    const struct visitor *v, const struct account_form *f)
{
	struct buf notice, verify, rows;
	static const struct account_form none;

	if (f == NULL)
		f = &none;
	buf_init(&notice, 2048);
	buf_init(&verify, 2048);
	buf_init(&rows, RESPONSE_MAX_BODY_BYTES / 2);
	if (session_rows(req, v, &rows) != 0) {
		page_unavailable(req, res, v);
		goto out;
	}
	page_notice(&notice, f->notice);
	page_success(&notice, f->success);
	if (!v->account.email_verified) {
		struct tmpl_var cv = { "csrf", str_from(v->csrf) };

		template_render(&verify, "account_verify.html", &cv, 1);
	}
	struct tmpl_var vars[] = {
		{ "notice", buf_str(&notice) },
		{ "email", str_from(v->account.email) },
		{ "verified", v->account.email_verified ? STR_LIT("Yes") :
		    STR_LIT("Not yet") },
		{ "verify", buf_str(&verify) },
		{ "csrf", str_from(v->csrf) },
		{ "new_email", f->new_email },
		{ "new_email_error", str_from(f->new_email_error) },
		{ "email_password_error", str_from(f->email_password_error) },
		{ "current_password_error",
		    str_from(f->current_password_error) },
		{ "new_password_error", str_from(f->new_password_error) },
		{ "sessions", buf_str(&rows) },
	};
	page_render(req, res, status, v, "Your account", "account.html", vars,
	    sizeof(vars) / sizeof(vars[0]));
out:
	buf_release(&notice);
	buf_release(&verify);
	buf_release(&rows);
}

bool
account_visitor(struct request *req, struct response *res,
    struct visitor *v)
{
	return page_visitor_or_fail(req, res, v) &&
	    page_require_login(req, res, v);
}

/* GET /account */
void
portal_account(struct request *req, struct response *res)
{
	struct visitor v;

	if (account_visitor(req, res, &v))
		account_page(req, res, 200, &v, NULL);
}

/* The page after one of its forms: `status` for an outcome the handler
 * put into f, 0 for one it did not know; too many tries (`too_many`, the
 * wait) and a store that failed answer alike for every form. */
static void
answer(struct request *req, struct response *res, const struct visitor *v,
    struct account_form *f, int rc, int status, int64_t wait,
    const char *too_many)
{
	char msg[160];

	if (rc == ERR_THROTTLED) {
		page_try_again(res, wait, too_many, msg, sizeof(msg));
		f->notice = msg;
		status = 429;
	}
	if (status == 0)
		page_unavailable(req, res, v);
	else
		account_page(req, res, status, v, f);
}

/* POST /account/verify-email: "Send the link again". */
void
portal_account_verify_send(struct request *req, struct response *res)
{
	static const struct param_spec spec[] = {
		{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	};
	struct account_form f = { 0 };
	struct visitor v;
	struct str csrf;
	int64_t wait = 0;
	int rc, status = 0;

	if (!account_visitor(req, res, &v) ||
	    !page_form(req, res, &v, spec, 1, &csrf))
		return;
	rc = verification_resend(req->kg, &v.account, &wait);
	if (rc == 0) {
		f.success = "We sent a new link to your address. Older links "
		    "no longer work.";
		status = 200;
	} else if (rc == ERR_CONFLICT) {
		f.success = "Your email address is verified already.";
		status = 200;
	}
	answer(req, res, &v, &f, rc, status, wait,
	    "You asked for several links already.");
}

enum { P_CSRF, P_CURRENT, P_NEW, P_COUNT };

static const struct param_spec password_form[P_COUNT] = {
	[P_CSRF] = { "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	[P_CURRENT] = { "current_password", ACCOUNT_PASSWORD_MAX_BYTES * 4,
	    false },
	[P_NEW] = { "new_password", ACCOUNT_PASSWORD_MAX_BYTES * 4, false },
};

/* POST /account/password: this session stays, the others end. */
void
portal_account_password(struct request *req, struct response *res)
{
	struct account_form f = { 0 };
	struct login_origin from;
	struct visitor v;
	struct str in[P_COUNT];
	const char *reason = NULL;
	int64_t wait = 0;
	int rc, status = 0;

	if (!account_visitor(req, res, &v) ||
	    !page_form(req, res, &v, password_form, P_COUNT, in))
		return;
	page_login_origin(req, &from);
	rc = recovery_change_password(req->kg, &from, &v.account,
	    in[P_CURRENT], in[P_NEW], v.session, &reason, &wait);
	if (rc == 0) {
		f.success = "Your password was changed. Every other session "
		    "was ended.";
		status = 200;
	} else if (rc == ERR_INVALID) {
		f.new_password_error = reason;
		status = 422;
	} else if (rc == ERR_AUTH) {
		f.current_password_error = "This is not your current password.";
		status = 401;
	}
	answer(req, res, &v, &f, rc, status, wait, "Too many wrong passwords.");
}

enum { E_CSRF, E_EMAIL, E_PASSWORD, E_COUNT };

static const struct param_spec email_form[E_COUNT] = {
	[E_CSRF] = { "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	[E_EMAIL] = { "new_email", 1024, false },
	[E_PASSWORD] = { "password", ACCOUNT_PASSWORD_MAX_BYTES * 4, false },
};

/* POST /account/email: a link to the new address; the answer does not
 * say whether another account has it. */
void
portal_account_email(struct request *req, struct response *res)
{
	struct account_form f = { 0 };
	struct login_origin from;
	struct visitor v;
	struct str in[E_COUNT];
	const char *reason = NULL;
	char msg[ACCOUNT_EMAIL_MAX_BYTES + 64];
	int64_t wait = 0;
	int rc, status = 0;

	if (!account_visitor(req, res, &v) ||
	    !page_form(req, res, &v, email_form, E_COUNT, in))
		return;
	page_login_origin(req, &from);
	rc = verification_change_email(req->kg, &from, &v.account,
	    in[E_PASSWORD], in[E_EMAIL], &reason, &wait);
	f.new_email = in[E_EMAIL];
	if (rc == 0) {
		struct str to = str_trim(in[E_EMAIL]);	/* checked: it fits */

		snprintf(msg, sizeof(msg), "We sent a link to %.*s. Your "
		    "email changes when you follow it.", (int)to.len, to.p);
		f.success = msg;
		f.new_email = STR_NULL;
		status = 200;
	} else if (rc == ERR_INVALID) {
		f.new_email_error = reason;
		status = 422;
	} else if (rc == ERR_AUTH) {
		f.email_password_error = "This is not your current password.";
		status = 401;
	}
	answer(req, res, &v, &f, rc, status, wait, "Too many attempts.");
}
