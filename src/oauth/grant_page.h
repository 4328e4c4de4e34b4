#ifndef KEYGATE_OAUTH_GRANT_PAGE_H
#define KEYGATE_OAUTH_GRANT_PAGE_H

#include "core/authz.h"
#include "portal/page.h"

/* The Grant Access page (SPEC §3.2): who asks, for what, Allow or Deny,
 * with the request carried in hidden fields. In the client flow it also
 * asks for the password (and the email when nobody is logged in). */
void	grant_page(struct request *req, struct response *res, int status,
	    const struct visitor *v, const struct app_row *app,
	    const struct authz_params *p, const struct authz_request *r,
	    const char *notice);

#endif
