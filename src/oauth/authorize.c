/* GET and POST /oauth2/authorize (RFC 6749 §4.1, §4.2; docs/REFERENCE.md
 * §3.2). */
#include "oauth/authorize_request.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/accounts.h"
#include "core/apps.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/clock.h"
#include "core/scopes.h"
#include "core/sessions.h"
#include "core/totp.h"
#include "core/totp_pending.h"
#include "core/verification.h"
#include "oauth/grant_page.h"
#include "portal/page.h"

/* An error through the redirect, once the request is trusted. */
static void
refuse(struct request *req, struct response *res, struct authz_ctx *c,
    int status, const char *error, const char *description)
{
	struct authz_error err = { error, description };

	/* an error that goes back to the client answers a pushed request
	 * as a code does (RFC 9126 §4: one use) */
	if (authorize_pushed_used(req, res, c))
		oauth_redirect_error(req, res, status, &c->r, &err);
}

/* The detour through the portal's log-in, back to this request with the
 * parameters it read (the others are ignored anyway). That log-in is the
 * fresh password entry prompt=login and max_age ask for, so the way back
 * drops them, or it would ask again; login_hint fills its email field. */
static void
login_redirect(struct request *req, struct response *res,
    const struct authz_ctx *c)
{
	struct buf next, b;
	char sep = '?';

	buf_init(&next, 16 * 1024);
	buf_putstr(&next, req->path);
	/* a pushed request comes back by its reference alone */
	if (c->p.request_uri.p != NULL) {
		buf_puts(&next, "?client_id=");
		form_encode(&next, c->in[A_CLIENT_ID]);
		buf_puts(&next, "&request_uri=");
		form_encode(&next, c->p.request_uri);
		sep = '&';
	}
	for (size_t k = 0; k < A_CSRF && c->p.request_uri.p == NULL; k++) {
		struct str v = c->in[k];

		if (k == A_PROMPT)	/* none never comes here */
			v = (c->r.prompt & AUTHZ_PROMPT_CONSENT) != 0 ?
			    str_from("consent") : STR_NULL;
		if (v.p == NULL || k == A_MAX_AGE)
			continue;
		buf_printf(&next, "%c%s=", sep, oauth_authorize_spec[k].name);
		form_encode(&next, v);
		sep = '&';
	}
	buf_init(&b, 48 * 1024);
	buf_puts(&b, "/login?next=");
	form_encode(&b, buf_str(&next));
	if (c->r.login_hint.len > 0) {
		buf_puts(&b, "&login_hint=");
		form_encode(&b, c->r.login_hint);
	}
	response_redirect(res, 302, b.err == 0 && next.err == 0 ? b.p :
	    "/login");
	buf_release(&next);
	buf_release(&b);
}

/* The Grant Access page is not shown to an account that may not grant
 * (--require-verified-email): it gets the page that says what to do. */
static bool
may_grant(struct request *req, struct response *res, struct authz_ctx *c)
{
	int rc = verification_required(req->kg, c->v.account.id);

	if (rc == ERR_FORBIDDEN)
		page_unverified(req, res, &c->v);
	else if (rc != 0)
		page_unavailable(req, res, &c->v);
	return rc == 0;
}

/* Issues the code or the token and redirects with it. */
static void
answer(struct request *req, struct response *res, struct authz_ctx *c,
    int status)
{
	char value[TOKEN_MAX_BYTES + 1], scope[SCOPES_TEXT_MAX], ttl[24];
	int rc;

	if (!authorize_pushed_used(req, res, c))
		return;
	if (c->r.flow == AUTHZ_CODE) {
		c->r.auth_time = c->v.auth_time;
		c->r.amr = c->v.amr;
		rc = authz_issue_code(req->kg, c->v.account.id,
		    req->client_addr, c->app, &c->r,
		    value);
		const char *pairs[] = { "code", value, NULL };
		if (rc == 0)
			oauth_redirect(req, res, status, &c->r, pairs);
	} else {
		rc = authz_issue_token(req->kg, c->v.account.id,
		    req->client_addr, c->app, &c->r,
		    value);
		scopes_format(c->r.scope, scope);
		snprintf(ttl, sizeof(ttl), "%lld",
		    (long long)req->kg->cfg->token_unused_ttl_s);
		const char *pairs[] = { "access_token", value, "token_type",
		    "Bearer", "expires_in", ttl, "scope", scope, NULL };
		if (rc == 0)
			oauth_redirect(req, res, status, &c->r, pairs);
	}
	sodium_memzero(value, sizeof(value));
	if (rc == ERR_FORBIDDEN && (c->r.prompt & AUTHZ_PROMPT_NONE) != 0)
		refuse(req, res, c, status, "interaction_required", "The "
		    "account must verify its email address first.");
	else if (rc == ERR_FORBIDDEN)
		page_unverified(req, res, &c->v);
	else if (rc != 0)
		page_unavailable(req, res, &c->v);
}

/* Consent, once the log-in is settled: the code or token at once when it
 * was given for these scopes (unless prompt=consent), else the Grant
 * Access page, carrying the client flow's proof of its fresh log-in. */
static void
consent_step(struct request *req, struct response *res, struct authz_ctx *c,
    int status)
{
	char proof[SEALED_MAX_BYTES];
	bool consented = false;

	if (authz_consented(req->kg, c->v.account.id, c->app, c->r.scope,
	    &consented) != 0)
		page_unavailable(req, res, &c->v);
	else if (consented && (c->r.prompt & AUTHZ_PROMPT_CONSENT) == 0)
		answer(req, res, c, status);
	else if ((c->r.prompt & AUTHZ_PROMPT_NONE) != 0)
		refuse(req, res, c, status, "consent_required", "The user has "
		    "not allowed these scopes for this application.");
	else if (!may_grant(req, res, c))
		return;
	else if (c->r.flow == AUTHZ_CODE)
		grant_page(req, res, 200, &c->v, c->app, &c->p, &c->r, NULL,
		    NULL);
	else if (authz_login_proof(req->kg, c->v.csrf, c->app, &c->r,
	    c->v.account.id, proof) != 0)
		page_unavailable(req, res, &c->v);
	else
		grant_page(req, res, 200, &c->v, c->app, &c->p, &c->r, proof,
		    NULL);
}

void
oauth_authorize(struct request *req, struct response *res)
{
	struct authz_ctx c = { 0 };
	struct params ps;

	c.app = xmalloc(sizeof(*c.app));
	if (!page_visitor_or_fail(req, res, &c.v))
		goto out;
	if (request_query(req, &ps) != 0) {
		authorize_bad_request(req, res, &c.v, "The query string is "
		    "malformed.");
		goto out;
	}
	params_join(req->arena, &ps, "resource");
	if (!authorize_read(req, res, &c, &ps, A_CSRF, true))
		goto out;
	/* The client flow asks for the password every time, even with a
	 * live session: so prompt=none never passes there. */
	if ((c.r.flow == AUTHZ_TOKEN || !c.v.logged_in ||
	    authz_fresh_login_needed(req->kg, &c.r, c.v.auth_time)) &&
	    (c.r.prompt & AUTHZ_PROMPT_NONE) != 0)
		refuse(req, res, &c, 302, "login_required", "The user must "
		    "log in.");
	else if (c.r.flow == AUTHZ_CODE && !c.v.logged_in)
		login_redirect(req, res, &c);
	else if (c.r.flow == AUTHZ_TOKEN ||
	    authz_fresh_login_needed(req->kg, &c.r, c.v.auth_time))
		grant_login_page(req, res, 200, &c.v, c.app, &c.p, &c.r,
		    NULL);
	else
		consent_step(req, res, &c, 302);
out:
	free(c.app);
}

/* The fresh password entry (the client flow's, or prompt=login's and
 * max_age's in the server flow): the session's account, or the one named
 * in the form when nobody is logged in. */
static int
reauthenticate(struct request *req, struct authz_ctx *c, int64_t *wait)
{
	struct str email = c->v.logged_in ? str_from(c->v.account.email) :
	    c->in[A_EMAIL];
	struct account who;
	struct login_origin from;
	int rc;

	page_login_origin(req, &from);
	rc = accounts_login(req->kg, &from, email, c->in[A_PASSWORD], &who,
	    wait);
	/* The visitor keeps its identity for the page if this fails. */
	if (rc == 0)
		c->v.account = who;
	return rc;
}

/* After the fresh log-in (by amr, AMR_*): inside a session, whose
 * account it was, it becomes the session's log-in (auth_time); then
 * consent. */
static void
after_login(struct request *req, struct response *res, struct authz_ctx *c,
    unsigned amr)
{
	if (c->v.logged_in) {
		if (sessions_reauth(req->kg, c->v.session, amr) != 0) {
			page_unavailable(req, res, &c->v);
			return;
		}
		c->v.auth_time = clock_now(req->kg->clock);
		c->v.amr = amr;
	}
	consent_step(req, res, c, 303);
}

/* The password step's proof of the client flow (core/totp_pending.h),
 * bound as a login proof is, to this request and this browser. */
static int
step_proof(struct request *req, struct authz_ctx *c, struct str sealed,
    char out[SEALED_MAX_BYTES], struct totp_pending *p)
{
	struct buf ctx;
	int rc;

	authz_step_context(c->v.csrf, c->app, &c->r, &ctx);
	if (ctx.err != 0)
		rc = ERR_AUTH;
	else if (out != NULL)
		rc = totp_pending_begin(req->kg, buf_str(&ctx),
		    c->v.account.id, out);
	else
		rc = totp_pending_open(req->kg, buf_str(&ctx), sealed, p);
	buf_release(&ctx);
	return rc;
}

/* A right password: with two-step log-in on, the code comes next. */
static void
password_passed(struct request *req, struct response *res,
    struct authz_ctx *c)
{
	char proof[SEALED_MAX_BYTES];
	bool two_step = false;

	if (totp_enabled(req->kg, c->v.account.id, &two_step) != 0 ||
	    (two_step && step_proof(req, c, STR_NULL, proof, NULL) != 0)) {
		page_unavailable(req, res, &c->v);
	} else if (two_step) {
		grant_code_page(req, res, 200, &c->v, c->app, &c->p, &c->r,
		    proof, NULL);
	} else {
		page_device_cookie(req, res, c->v.account.id);
		after_login(req, res, c, AMR_PWD);
	}
}

static void
fresh_login(struct request *req, struct response *res,
    struct authz_ctx *c)
{
	int64_t wait = 0;
	int rc = reauthenticate(req, c, &wait);

	if (rc == 0) {
		password_passed(req, res, c);
	} else if (rc == ERR_THROTTLED) {
		grant_login_page(req, res, 429, &c->v, c->app, &c->p, &c->r,
		    "Too many failed attempts. Try again later.");
		page_retry_after(res, wait);
	} else if (rc == ERR_AUTH) {
		grant_login_page(req, res, 401, &c->v, c->app, &c->p, &c->r,
		    "Wrong email or password.");
	} else if (rc == ERR_FORBIDDEN) {
		grant_login_page(req, res, 403, &c->v, c->app, &c->p, &c->r,
		    ACCOUNTS_DISABLED);
	} else {
		page_unavailable(req, res, &c->v);
	}
}

/* The code after the password (decision=code): accepted, it completes
 * the fresh log-in, whose proof is then spent. */
static void
fresh_login_code(struct request *req, struct response *res,
    struct authz_ctx *c)
{
	struct totp_pending p;
	int64_t wait = 0;
	int rc;

	if (step_proof(req, c, c->in[A_STEP], NULL, &p) != 0 ||
	    (rc = totp_pending_answer(req->kg, &p, req->client_addr,
	    c->in[A_CODE], &wait)) == ERR_EXPIRED) {
		grant_login_page(req, res, 400, &c->v, c->app, &c->p, &c->r,
		    "Log in again to answer this request.");
		return;
	}
	if (rc == 0) {
		c->v.account.id = p.account_id;
		page_device_cookie(req, res, p.account_id);
		after_login(req, res, c, AMR_PWD | AMR_OTP);
	} else if (rc == ERR_AUTH) {
		grant_code_page(req, res, 401, &c->v, c->app, &c->p, &c->r,
		    arena_strdup(req->arena, c->in[A_STEP]), "Wrong code. "
		    "Enter the newest code the app shows, or a recovery code.");
	} else if (rc == ERR_THROTTLED) {
		grant_code_page(req, res, 429, &c->v, c->app, &c->p, &c->r,
		    arena_strdup(req->arena, c->in[A_STEP]), "Too many wrong "
		    "codes. Try again later.");
		page_retry_after(res, wait);
	} else {
		page_unavailable(req, res, &c->v);
	}
}

/* Allow in the client flow stands on the log-in just before it. A proof
 * is spent once consent covers the request: replaying the form then
 * asks for the password again instead of minting another token. */
static void
token_flow_allow(struct request *req, struct response *res,
    struct authz_ctx *c)
{
	bool consented = true;
	int64_t id = 0;

	if (authz_login_proof_open(req->kg, c->v.csrf, c->app, &c->r,
	    c->in[A_PROOF], &id) == 0 && authz_consented(req->kg, id,
	    c->app, c->r.scope, &consented) != 0) {
		page_unavailable(req, res, &c->v);
		return;
	}
	if (id == 0 || consented) {
		grant_login_page(req, res, 400, &c->v, c->app, &c->p, &c->r,
		    "Log in again to answer this request.");
		return;
	}
	c->v.account.id = id;
	answer(req, res, c, 303);
}

static const char SESSION_ENDED[] = "Your session ended before you "
    "answered. Start again from the application.";

void
oauth_authorize_post(struct request *req, struct response *res)
{
	struct authz_ctx c = { 0 };
	struct authz_error denied = { "access_denied",
	    "The user refused access." };
	struct params ps;
	int rc;

	c.app = xmalloc(sizeof(*c.app));
	if (!page_visitor_or_fail(req, res, &c.v))
		goto out;
	if ((rc = request_form(req, &ps)) != 0) {
		page_message(req, res, rc == ERR_INVALID ? 415 : 400, &c.v,
		    "Bad request", "The form could not be read.");
		goto out;
	}
	params_join(req->arena, &ps, "resource");
	if (!page_csrf_ok(req, &c.v, params_get(&ps, "csrf_token"))) {
		page_csrf_refused(req, res, &c.v);
		goto out;
	}
	if (!authorize_read(req, res, &c, &ps, A_COUNT, false))
		goto out;
	if (str_eq_lit(c.in[A_DECISION], "deny")) {
		if (authorize_pushed_used(req, res, &c))
			oauth_redirect_error(req, res, 303, &c.r, &denied);
	}
	else if (c.r.flow == AUTHZ_CODE && !c.v.logged_in &&
	    !str_eq_lit(c.in[A_DECISION], "allow"))
		/* the server flow's fresh log-in is a session's */
		authorize_bad_request(req, res, &c.v, SESSION_ENDED);
	else if (str_eq_lit(c.in[A_DECISION], "login"))
		fresh_login(req, res, &c);
	else if (str_eq_lit(c.in[A_DECISION], "code"))
		fresh_login_code(req, res, &c);
	else if (!str_eq_lit(c.in[A_DECISION], "allow"))
		authorize_bad_request(req, res, &c.v, "Choose Allow or Deny.");
	else if (c.r.flow == AUTHZ_TOKEN)
		token_flow_allow(req, res, &c);
	else if (!c.v.logged_in)
		authorize_bad_request(req, res, &c.v, SESSION_ENDED);
	else
		answer(req, res, &c, 303);
out:
	free(c.app);
}
