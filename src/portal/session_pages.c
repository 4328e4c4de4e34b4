/* Ending sessions from the account page: one by its id, or all but the
 * visitor's own. Each answers by going back to the page (303). */
#include "portal/pages.h"

#include "base/err.h"
#include "core/sessions.h"
#include "portal/account_pages.h"

static const struct param_spec csrf_only[] = {
	{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
};

/* POST /account/sessions/{id}/end. Ending the visitor's own session is a
 * log-out. */
void
portal_session_end(struct request *req, struct response *res)
{
	struct visitor v;
	struct str csrf;
	int rc;

	if (!account_visitor(req, res, &v) ||
	    !page_form(req, res, &v, csrf_only, 1, &csrf))
		return;
	rc = sessions_end_id(req->kg, v.account.id, req->client_addr,
	    req->route_params[0], v.session);
	if (rc == ERR_NOTFOUND) {
		struct account_form f = { 0 };

		f.notice = "This session had ended already.";
		account_page(req, res, 404, &v, &f);
	} else if (rc != 0) {
		page_unavailable(req, res, &v);
	} else {
		response_redirect(res, 303, "/account");
	}
}

/* POST /account/sessions/end-others */
void
portal_sessions_end_others(struct request *req, struct response *res)
{
	struct visitor v;
	struct str csrf;

	if (!account_visitor(req, res, &v) ||
	    !page_form(req, res, &v, csrf_only, 1, &csrf))
		return;
	if (sessions_end_others(req->kg, v.account.id, req->client_addr,
	    v.session) != 0)
		page_unavailable(req, res, &v);
	else
		response_redirect(res, 303, "/account");
}
