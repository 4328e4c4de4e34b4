/* The portal log-in's second step. A right password for an account with
 * two-step log-in on starts no session: it is answered with a page asking
 * the code, carrying a sealed, short-lived, single-use proof of the
 * password step bound to this browser (core/totp_pending.h). The session
 * begins when a code (or a recovery code) is accepted. */
#include "portal/pages.h"

#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "core/totp.h"
#include "core/totp_pending.h"
#include "portal/page.h"

enum { C_CSRF, C_PROOF, C_CODE, C_NEXT, C_COUNT };

static const struct param_spec code_form[C_COUNT] = {
	[C_CSRF] = { "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	[C_PROOF] = { "step_proof", SEALED_MAX_BYTES, false },
	[C_CODE] = { "code", TOTP_CODE_MAX_BYTES, false },
	[C_NEXT] = { "next", HTTP_MAX_URL_BYTES, false },
};

/* The proof is bound to this browser's CSRF token (its pre-session
 * cookie), and to this form. */
static struct str
proof_context(struct request *req, const struct visitor *v)
{
	size_t n = CSRF_TOKEN_BYTES + 16;
	char *ctx = arena_alloc(req->arena, n);

	snprintf(ctx, n, "portal-login|%s", v->csrf);
	return str_from(ctx);
}

static void
render(struct request *req, struct response *res, int status,
    const struct visitor *v, struct str proof, const char *next,
    const char *notice)
{
	struct buf nb, field;

	buf_init(&nb, 1024);
	buf_init(&field, 4096);
	page_notice(&nb, notice);
	template_render(&field, "code_field.html", NULL, 0);
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "proof", proof },
		{ "next", str_from(next) },
		{ "notice", buf_str(&nb) },
		{ "field", buf_str(&field) },
	};
	page_render(req, res, status, v, "Two-step log-in", "login_code.html",
	    vars, 5);
	buf_release(&nb);
	buf_release(&field);
}

void
portal_login_code_ask(struct request *req, struct response *res,
    const struct visitor *v, int64_t account_id, const char *next)
{
	char proof[SEALED_MAX_BYTES];

	if (totp_pending_begin(req->kg, proof_context(req, v), account_id,
	    proof) != 0)
		page_unavailable(req, res, v);
	else
		render(req, res, 200, v, str_from(proof), next, NULL);
}

static void
start_over(struct request *req, struct response *res, const struct visitor *v)
{
	page_message(req, res, 400, v, "Log in again", "This log-in was "
	    "finished already or waited too long for its code. Log in again "
	    "with your password.");
}

/* POST /login/code */
void
portal_login_code(struct request *req, struct response *res)
{
	struct totp_pending p;
	struct visitor v;
	struct str f[C_COUNT];
	const char *next;
	int64_t wait = 0;
	int rc;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_form(req, res, &v, code_form, C_COUNT, f))
		return;
	next = page_safe_next(req, f[C_NEXT]);
	if (totp_pending_open(req->kg, proof_context(req, &v), f[C_PROOF],
	    &p) != 0 || (rc = totp_pending_answer(req->kg, &p,
	    req->client_addr, f[C_CODE], &wait)) == ERR_EXPIRED) {
		start_over(req, res, &v);
		return;
	}
	if (rc == 0)
		rc = page_begin_session(req, res, &v, p.account_id,
		    AMR_PWD | AMR_OTP);
	if (rc == 0) {
		page_device_cookie(req, res, p.account_id);
		response_redirect(res, 303, next);
	} else if (rc == ERR_AUTH) {
		render(req, res, 401, &v, f[C_PROOF], next, "Wrong code. "
		    "Enter the newest code the app shows, or a recovery code.");
	} else if (rc == ERR_THROTTLED) {
		render(req, res, 429, &v, f[C_PROOF], next, "Too many wrong "
		    "codes. Try again later.");
		page_retry_after(res, wait);
	} else {
		page_unavailable(req, res, &v);
	}
}
