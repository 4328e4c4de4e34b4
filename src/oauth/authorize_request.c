/* Reading an authorization request: its own parameters or the pushed
 * ones (authorize_request.h). */
#include "oauth/authorize_request.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "core/accounts.h"
#include "core/apps.h"
#include "core/par.h"
#include "core/scopes.h"
#include "core/totp.h"

_Static_assert((int)A_CSRF == (int)OAUTH_AUTHZ_PARAMS && (int)A_CLIENT_ID ==
    (int)OAUTH_AUTHZ_CLIENT_ID && (int)A_DPOP_JKT ==
    (int)OAUTH_AUTHZ_DPOP_JKT, "oauth.h's view of the spec");

/* GET reads those before A_CSRF; POST all. Unknown GET parameters are
 * ignored (RFC 6749 §3.1); a POST comes from keygate's own form. */
const struct param_spec oauth_authorize_spec[A_COUNT] = {
	[A_RESPONSE_TYPE] = { "response_type", 32, false },
	[A_CLIENT_ID] = { "client_id", APP_API_KEY_MAX_BYTES, false },
	[A_REDIRECT_URI] = { "redirect_uri", APP_URI_MAX_BYTES, false },
	[A_SCOPE] = { "scope", SCOPES_TEXT_MAX, false },
	[A_STATE] = { "state", OAUTH_STATE_MAX_BYTES, false },
	[A_CHALLENGE] = { "code_challenge", 128, false },
	[A_METHOD] = { "code_challenge_method", 16, false },
	/* OpenID Connect: a nonce's own limit (OIDC_NONCE_MAX_BYTES) is
	 * core's, which says so; this one only bounds the read */
	[A_NONCE] = { "nonce", 1024, false },
	[A_PROMPT] = { "prompt", 64, false },
	[A_MAX_AGE] = { "max_age", 32, false },
	[A_LOGIN_HINT] = { "login_hint", 1024, false },
	/* a thumbprint's own form (43 characters) is core's to check */
	[A_DPOP_JKT] = { "dpop_jkt", 128, false },
	/* RFC 8707: repeatable, joined by params_join() */
	[A_RESOURCE] = { "resource", RESOURCES_TEXT_MAX, false },
	[A_CSRF] = { "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	[A_DECISION] = { "decision", 16, false },
	[A_EMAIL] = { "email", 1024, false },
	[A_PASSWORD] = { "password", ACCOUNT_PASSWORD_MAX_BYTES * 4, false },
	[A_PROOF] = { "login_proof", SEALED_MAX_BYTES, false },
	/* two-step log-in: the password step's proof, and the code */
	[A_STEP] = { "step_proof", SEALED_MAX_BYTES, false },
	[A_CODE] = { "code", TOTP_CODE_MAX_BYTES, false },
};

void
authorize_bad_request(struct request *req, struct response *res,
    const struct visitor *v, const char *why)
{
	page_message(req, res, 400, v, "This authorization request cannot "
	    "be served", why);
}

void
oauth_authorize_fill(const struct str *in, struct authz_params *p)
{
	p->response_type = in[A_RESPONSE_TYPE];
	p->client_id = in[A_CLIENT_ID];
	p->redirect_uri = in[A_REDIRECT_URI];
	p->scope = in[A_SCOPE];
	p->state = in[A_STATE];
	p->code_challenge = in[A_CHALLENGE];
	p->code_challenge_method = in[A_METHOD];
	p->nonce = in[A_NONCE];
	p->prompt = in[A_PROMPT];
	p->max_age = in[A_MAX_AGE];
	p->login_hint = in[A_LOGIN_HINT];
	p->dpop_jkt = in[A_DPOP_JKT];
	p->resource = in[A_RESOURCE];
}

/* RFC 9126 §4: a request_uri stands for the parameters pushed under it
 * (core/par.h); the query's others are ignored, while the fields of
 * keygate's own form (csrf_token, decision, ...) are read as usual. Fills
 * c->in and c->p.request_uri, or answers with the error page (the
 * redirect URI is not known yet) and returns false. */
static bool
read_pushed(struct request *req, struct response *res, struct authz_ctx *c,
    const struct params *ps, size_t nspec)
{
	const struct param_spec two[2] = { oauth_authorize_spec[A_CLIENT_ID],
	    { "request_uri", PAR_URI_MAX_BYTES, true } };
	struct par_row *row = xmalloc(sizeof(*row));
	struct params pushed;
	const char *bad = NULL, *why = NULL;
	struct str v[2];
	int rc;

	if (params_bind(ps, two, 2, true, v, &bad) != 0 || v[0].len == 0)
		why = "client_id or request_uri is missing, repeated or too "
		    "long.";
	else if ((rc = par_find(req->kg, v[1], row)) == ERR_STORE)
		why = "";
	else if (rc != 0)
		why = "This request_uri is unknown, expired or already used. "
		    "Start again from the application.";
	else if (form_parse(req->arena, str_from(arena_strdup(req->arena,
	    str_from(row->params))), &pushed) != 0 || params_bind(&pushed,
	    oauth_authorize_spec, A_CSRF, true, c->in, &bad) != 0 ||
	    !str_eq(c->in[A_CLIENT_ID], v[0]))
		why = "This request_uri was pushed by another application.";
	else if (nspec > A_CSRF && params_bind(ps,
	    &oauth_authorize_spec[A_CSRF], nspec - A_CSRF, true,
	    &c->in[A_CSRF], &bad) != 0)
		why = "A parameter is repeated or too long.";
	free(row);
	if (why != NULL && *why == '\0')
		page_unavailable(req, res, &c->v);
	else if (why != NULL)
		authorize_bad_request(req, res, &c->v, why);
	else {
		c->p.request_uri = str_from(arena_strdup(req->arena, v[1]));
		c->p.pushed = true;
	}
	return why == NULL;
}

/* The one use of a pushed request (§18): when the answer goes back to
 * the client, code or token, allowed or denied, so that a log-in detour
 * before it does not spend it. Answers and returns false when it was
 * spent first (another tab, another node) or has expired since. */
bool
authorize_pushed_used(struct request *req, struct response *res,
    struct authz_ctx *c)
{
	int rc;

	if (c->p.request_uri.p == NULL)
		return true;
	rc = par_use(req->kg, c->p.request_uri, c->app->id);
	if (rc == ERR_STORE)
		page_unavailable(req, res, &c->v);
	else if (rc != 0)
		authorize_bad_request(req, res, &c->v, "This request was "
		    "already answered or has expired. Start again from the "
		    "application.");
	return rc == 0;
}

/* Parses and checks the request. Before the redirect URI is trusted every
 * error is a 400 page; after, errors go back to the client. Returns true
 * when the request is good. */
bool
authorize_read(struct request *req, struct response *res, struct authz_ctx *c,
    const struct params *ps, size_t nspec, bool ignore_unknown)
{
	struct authz_error err = { "invalid_request", NULL };
	const char *bad = NULL, *why = NULL;
	struct str trust[2];
	int bind, rc;

	if (params_get(ps, "request_uri").p != NULL) {
		if (!read_pushed(req, res, c, ps, nspec))
			return false;
		bind = 0;
	} else {
		/* The two parameters that decide whether errors may be
		 * redirected are checked first, whatever the order of the
		 * others. */
		bind = params_bind(ps, &oauth_authorize_spec[A_CLIENT_ID], 2,
		    true, trust, &bad);
		if (bind == 0)
			bind = params_bind(ps, oauth_authorize_spec, nspec,
			    ignore_unknown, c->in, &bad);
	}
	oauth_authorize_fill(c->in, &c->p);
	if (bind != 0 && (strcmp(bad, "client_id") == 0 ||
	    strcmp(bad, "redirect_uri") == 0)) {
		authorize_bad_request(req, res, &c->v, "client_id or "
		    "redirect_uri is repeated, too long or malformed.");
		return false;
	}
	rc = authz_client(req->kg, &c->p, c->app, &why);
	if (rc == ERR_STORE) {
		page_unavailable(req, res, &c->v);
		return false;
	}
	if (rc != 0) {
		authorize_bad_request(req, res, &c->v, why);
		return false;
	}
	c->r.redirect_uri = c->p.redirect_uri;
	c->r.state = c->p.state;
	c->r.flow = str_eq_lit(c->p.response_type, "token") ? AUTHZ_TOKEN :
	    AUTHZ_CODE;
	if (bind != 0) {
		err.description = "A parameter is repeated, unknown or too "
		    "long.";
		if (c->r.state.len > OAUTH_STATE_MAX_BYTES)
			c->r.state = STR_NULL;
		oauth_redirect_error(req, res, req->method == HTTP_POST ? 303 :
		    302, &c->r, &err);
		return false;
	}
	if (authz_check(req->kg, &c->p, c->app, &c->r, &err) != 0) {
		oauth_redirect_error(req, res, req->method == HTTP_POST ? 303 :
		    302, &c->r, &err);
		return false;
	}
	return true;
}
