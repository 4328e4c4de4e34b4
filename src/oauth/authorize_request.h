#ifndef KEYGATE_OAUTH_AUTHORIZE_REQUEST_H
#define KEYGATE_OAUTH_AUTHORIZE_REQUEST_H

/* Reading one request to /oauth2/authorize (authorize.c's, GET and POST):
 * its parameters, or those pushed under its request_uri (RFC 9126), the
 * client and redirect URI trusted, the rest checked (core/authz.h). */

#include <stdbool.h>
#include <stddef.h>

#include "core/authz.h"
#include "oauth/oauth.h"
#include "portal/page.h"

/* the indexes of oauth_authorize_spec: the authorization request's
 * parameters, then the fields of keygate's own forms */
enum { A_RESPONSE_TYPE, A_CLIENT_ID, A_REDIRECT_URI, A_SCOPE, A_STATE,
	A_CHALLENGE, A_METHOD, A_NONCE, A_PROMPT, A_MAX_AGE, A_LOGIN_HINT,
	A_DPOP_JKT, A_RESOURCE, A_CSRF, A_DECISION, A_EMAIL, A_PASSWORD, A_PROOF, A_STEP,
	A_CODE, A_COUNT };

/* Everything one authorization request needs while it is answered. */
struct authz_ctx {
	struct visitor		 v;
	struct str		 in[A_COUNT];
	struct authz_params	 p;
	struct authz_request	 r;
	struct app_row		*app;
};

/* The 400 page of a request whose redirect URI is not trusted (yet). */
void	authorize_bad_request(struct request *req, struct response *res,
	    const struct visitor *v, const char *why);

/* Parses and checks the request (the first `nspec` parameters of the
 * spec; `ignore_unknown` for GET's). Before the redirect URI is trusted
 * every error is a 400 page; after, errors go back to the client.
 * Answers and returns false unless the request is good. */
bool	authorize_read(struct request *req, struct response *res,
	    struct authz_ctx *c, const struct params *ps, size_t nspec,
	    bool ignore_unknown);

/* The one use of a pushed request (§18): when the answer goes back to
 * the client, code or token, allowed or denied, so that a log-in detour
 * before it does not spend it. Answers and returns false when it was
 * spent first (another tab, another node) or has expired since; true at
 * once for a request that was not pushed. */
bool	authorize_pushed_used(struct request *req, struct response *res,
	    struct authz_ctx *c);

#endif
