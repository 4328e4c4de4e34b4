#ifndef KEYGATE_PORTAL_ACCOUNT_PAGES_H
#define KEYGATE_PORTAL_ACCOUNT_PAGES_H

#include <stdbool.h>

#include "portal/page.h"

/* The account page as account_pages.c draws it, for its handlers and
 * session_pages.c's. */

/* What a form sent to the account page comes back with; NULL where there
 * is nothing to say. */
struct account_form {
	const char	*notice;	/* a refusal, above the sections */
	const char	*success;
	/* the address typed, shown again */
	struct str	 new_email;
	const char	*new_email_error;
	const char	*email_password_error;
	const char	*current_password_error;
	const char	*new_password_error;
};

/* Renders the account page of the logged-in visitor; f may be NULL. */
void	account_page(struct request *req, struct response *res, int status,
	    const struct visitor *v, const struct account_form *f);

/* page_visitor_or_fail() and page_require_login() in one. */
bool	account_visitor(struct request *req, struct response *res,
	    struct visitor *v);

#endif
