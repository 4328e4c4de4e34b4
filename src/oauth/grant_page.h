#ifndef KEYGATE_OAUTH_GRANT_PAGE_H
#define KEYGATE_OAUTH_GRANT_PAGE_H

#include "core/authz.h"
#include "portal/page.h"

/* The Grant Access page: who asks, for what, Allow or Deny, with the
 * request carried in hidden fields. In the client flow it comes after the
 * log-in form and carries its `proof` (authz_login_proof()); NULL in the
 * server flow. */
void	grant_page(struct request *req, struct response *res, int status,
	    const struct visitor *v, const struct app_row *app,
	    const struct authz_params *p, const struct authz_request *r,
	    const char *proof, const char *notice);

/* The client flow's log-in form, shown on every request before anything
 * else: the password (and the email when nobody is logged in), posted
 * with decision=login and the request in hidden fields. */
void	grant_login_page(struct request *req, struct response *res,
	    int status, const struct visitor *v, const struct app_row *app,
	    const struct authz_params *p, const struct authz_request *r,
	    const char *notice);

/* The client flow's second step, with two-step log-in on: the code,
 * posted with decision=code, the request and the password step's `proof`
 * (core/totp_pending.h) in hidden fields. */
void	grant_code_page(struct request *req, struct response *res,
	    int status, const struct visitor *v, const struct app_row *app,
	    const struct authz_params *p, const struct authz_request *r,
	    const char *proof, const char *notice);

#endif
