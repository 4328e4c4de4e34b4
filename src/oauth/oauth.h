#ifndef KEYGATE_OAUTH_OAUTH_H
#define KEYGATE_OAUTH_OAUTH_H

#include <stdbool.h>

#include "core/authz.h"
#include "core/token_bind.h"
#include "http/request.h"
#include "http/response.h"
#include "store/store.h"

/* Handlers of the OAuth endpoints (docs/REFERENCE.md §3, §5) and what they
 * share. */

/* An RFC 6749 §5.2 error, with no-store caching; `invalid_client` gets
 * 401 and a WWW-Authenticate challenge. */
void	oauth_error(struct response *res, int status, const char *error,
	    const char *description);

/* Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1). */
void	oauth_no_store(struct response *res);

/* Parses a client-authenticated form (token, revoke, introspect, device
 * authorization): RFC 6749 §3.2 says parameters may not repeat; unknown
 * ones are ignored. Answers and returns false when the form is
 * unusable. */
bool	oauth_form(struct request *req, struct response *res,
	    const struct param_spec *spec, size_t n, struct str *in);

/* Authenticates the calling client of a token, revoke or introspect
 * request (Basic with form-encoded parts, or client_id/client_secret in the
 * body, never both). Answers itself and returns false on failure. */
bool	oauth_client(struct request *req, struct response *res,
	    struct str body_id, struct str body_secret, struct app_row *app);

/* An authorization response (RFC 6749 §4.1.2, §4.2.2, RFC 9207): a
 * redirect to r's URI with `pairs` (name, value, name, value, ..., NULL)
 * plus state and iss, in the query for the code flow or the fragment for
 * the client flow. */
void	oauth_redirect(struct request *req, struct response *res, int status,
	    const struct authz_request *r, const char *const *pairs);

/* The same for an error (error, error_description). */
void	oauth_redirect_error(struct request *req, struct response *res,
	    int status, const struct authz_request *r,
	    const struct authz_error *err);

/* The DPoP proof of a token request to `path` (/oauth2/token,
 * /oauth2/par) by the authenticated `app`: true with *proof its key (in
 * buf), or NULL when none came and the app does not require one; false
 * when answered (400 invalid_dpop_proof or use_dpop_nonce with a
 * DPoP-Nonce header, 503). */
bool	oauth_dpop_proof(struct request *req, struct response *res,
	    const struct app_row *app, const char *path,
	    struct token_proof *buf, const struct token_proof **proof);

void	oauth_metadata(struct request *req, struct response *res);
/* POST /oauth2/par (RFC 9126; §18) */
void	oauth_par(struct request *req, struct response *res);
/* POST /oauth2/register (RFC 7591; oauth/register.c) */
void	oauth_register(struct request *req, struct response *res);

/* The authorization request's parameters as /oauth2/authorize reads them
 * (response_type, client_id, ... login_hint, dpop_jkt, resource: the first
 * OAUTH_AUTHZ_PARAMS of the spec, client_id at OAUTH_AUTHZ_CLIENT_ID),
 * shared with /oauth2/par; oauth_authorize_fill() points p's fields at
 * values bound in that order. */
enum { OAUTH_AUTHZ_CLIENT_ID = 1, OAUTH_AUTHZ_DPOP_JKT = 11,
	OAUTH_AUTHZ_PARAMS = 13 };
extern const struct param_spec oauth_authorize_spec[];
void	oauth_authorize_fill(const struct str *in, struct authz_params *p);
/* RFC 9728: the built-in API's protected resource metadata (§19), and
 * its URL as a challenge's parameter, resource_metadata="...", appended
 * to b: the built-in API's, or that of the registered resource a proxy
 * names in X-Keygate-Resource (its own well-known URL, §22.1). */
void	oauth_protected_resource(struct request *req, struct response *res);
/* A registered resource's (§22.1): ?resource=URI. */
void	oauth_resource_metadata(struct request *req, struct response *res);
void	oauth_resource_metadata_param(const struct request *req,
	    struct buf *b);
void	oauth_openid_configuration(struct request *req,
	    struct response *res);
void	oauth_userinfo(struct request *req, struct response *res);
void	oauth_jwks(struct request *req, struct response *res);
void	oauth_authorize(struct request *req, struct response *res);
/* The routes' prefetch (http/router.h) of every endpoint that names a
 * client: its metadata document fetched on the slow lane when client_id
 * is a URL this node has not cached (docs/REFERENCE.md §22.2). */
bool	oauth_cimd_prefetch(struct request *req, bool run);
void	oauth_authorize_post(struct request *req, struct response *res);
void	oauth_token(struct request *req, struct response *res);
void	oauth_device_authorization(struct request *req,
	    struct response *res);
void	oauth_revoke(struct request *req, struct response *res);
void	oauth_introspect(struct request *req, struct response *res);
void	oauth_check(struct request *req, struct response *res);
void	oauth_account_summary(struct request *req, struct response *res);

#endif
