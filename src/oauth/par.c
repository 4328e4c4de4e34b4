/* POST /oauth2/par (RFC 9126 §2; docs/REFERENCE.md §18): an authorization
 * request pushed by its client, checked as /oauth2/authorize checks it,
 * stored for PAR_TTL_S under a request_uri that the browser then carries
 * to /oauth2/authorize (authorize.c). */
#include "oauth/oauth.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/err.h"
#include "base/mem.h"
#include "core/dpop.h"
#include "core/par.h"
#include "core/scopes.h"
#include "http/form.h"

/* Beside the authorization request's parameters (oauth_authorize_spec):
 * the client's secret and the two that may not be pushed. */
enum { P_CLIENT_SECRET, P_REQUEST_URI, P_REQUEST, P_COUNT };

static const struct param_spec extra_spec[P_COUNT] = {
	[P_CLIENT_SECRET] = { "client_secret", TOKEN_MAX_BYTES, false },
	[P_REQUEST_URI] = { "request_uri", PAR_URI_MAX_BYTES, false },
	[P_REQUEST] = { "request", HTTP_MAX_PARAM_VALUE_BYTES, false },
};

/* The checked parameters as stored: form-encoded, the client_id the
 * authenticated one, whichever way it was sent. */
static void
encode(struct buf *b, const struct str *in, const struct app_row *app)
{
	const char *sep = "";

	for (size_t k = 0; k < OAUTH_AUTHZ_PARAMS; k++) {
		struct str v = k == OAUTH_AUTHZ_CLIENT_ID ?
		    str_from(app->api_key) : in[k];

		if (v.p == NULL)
			continue;
		buf_printf(b, "%s%s=", sep, oauth_authorize_spec[k].name);
		form_encode(b, v);
		sep = "&";
	}
}

/* RFC 9449 §10.1: a DPoP proof sent with the push binds the code to its
 * key (authz_bind_key()), stored as dpop_jkt. No proof, no binding: a
 * DPoP-bound app proves its key at the token endpoint anyway. Answers
 * and returns false when the proof is refused. */
static bool
pushed_proof(struct request *req, struct response *res, struct str *in,
    const struct app_row *app, struct authz_request *r)
{
	struct authz_error err = { NULL, NULL };
	struct token_proof buf;
	const struct token_proof *proof;
	char *b64;

	if (request_header_count(req, "DPoP") == 0)
		return true;
	if (!oauth_dpop_proof(req, res, app, "/oauth2/par", &buf, &proof))
		return false;
	if (authz_bind_key(r, proof->jkt, &err) != 0) {
		oauth_error(res, 400, err.error, err.description);
		return false;
	}
	if (r->code_bound) {
		b64 = arena_alloc(req->arena, DPOP_JKT_B64_BYTES + 1);
		dpop_jkt_b64(r->code_jkt, b64);
		in[OAUTH_AUTHZ_DPOP_JKT] = str_from(b64);
	}
	return true;
}

/* Checks the pushed request as the authorization endpoint would (its
 * errors in JSON, RFC 9126 §2.3) and stores it. */
static void
push(struct request *req, struct response *res, struct str *in,
    struct app_row *app)
{
	struct authz_error err = { "invalid_request", NULL };
	struct authz_params p = { 0 };
	struct authz_request r;
	char uri[PAR_URI_MAX_BYTES], num[24];
	const char *why = NULL;
	int64_t wait = 0;
	struct buf b;
	int rc;

	in[OAUTH_AUTHZ_CLIENT_ID] = str_from(app->api_key);
	oauth_authorize_fill(in, &p);
	p.pushed = true;
	/* the app anew: the client memo's row has no redirect URIs */
	rc = authz_client(req->kg, &p, app, &why);
	if (rc == ERR_STORE) {
		oauth_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached; try again soon.");
		return;
	}
	if (rc != 0) {
		oauth_error(res, 400, "invalid_request", why);
		return;
	}
	if (authz_check(req->kg, &p, app, &r, &err) != 0) {
		oauth_error(res, 400, err.error, err.description);
		return;
	}
	if (!pushed_proof(req, res, in, app, &r))
		return;
	buf_init(&b, PAR_PARAMS_MAX_BYTES);
	encode(&b, in, app);
	rc = b.err != 0 ? ERR_TOOBIG : par_push(req->kg, app,
	    req->client_addr, buf_str(&b), uri, &wait);
	buf_release(&b);
	if (rc == ERR_TOOBIG) {
		oauth_error(res, 400, "invalid_request", "The request is too "
		    "long.");
	} else if (rc == ERR_THROTTLED) {
		oauth_error(res, 429, "too_many_requests", "Too many requests "
		    "pushed from this address; wait before trying again.");
		snprintf(num, sizeof(num), "%lld", (long long)wait);
		response_header(res, "Retry-After", num);
	} else if (rc != 0) {
		oauth_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached; try again soon.");
	} else {
		response_json(res, 201, json_pack("{s:s, s:i}", "request_uri",
		    uri, "expires_in", PAR_TTL_S));
		oauth_no_store(res);
	}
}

void
oauth_par(struct request *req, struct response *res)
{
	struct app_row *app = xmalloc(sizeof(*app));
	struct str in[OAUTH_AUTHZ_PARAMS], x[P_COUNT];

	/* two readings of one form: the authorization request's spec is
	 * authorize.c's own, so that both endpoints take the same */
	if (!oauth_form(req, res, oauth_authorize_spec, OAUTH_AUTHZ_PARAMS,
	    in) || !oauth_form(req, res, extra_spec, P_COUNT, x) ||
	    !oauth_client(req, res, in[OAUTH_AUTHZ_CLIENT_ID],
	    x[P_CLIENT_SECRET], app))
		goto out;
	if (x[P_REQUEST_URI].p != NULL)
		oauth_error(res, 400, "invalid_request", "request_uri may not "
		    "be pushed (RFC 9126 §2.1).");
	else if (x[P_REQUEST].p != NULL)
		oauth_error(res, 400, "request_not_supported", "Request "
		    "objects are not supported.");
	else
		push(req, res, in, app);
out:
	free(app);
}
