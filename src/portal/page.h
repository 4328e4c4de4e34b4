#ifndef KEYGATE_PORTAL_PAGE_H
#define KEYGATE_PORTAL_PAGE_H

#include <stdbool.h>

#include "core/accounts.h"
#include "core/csrf.h"
#include "http/request.h"
#include "http/response.h"
#include "portal/template.h"
#include "store/store.h"

/* The portal's cookies, by base name. Every cookie is read with
 * request_cookie() and written with response_cookie(), passing
 * cfg->secure_cookies, and never under a name of its own making: those two
 * give it its real name, `__Host-kg_...` with an https issuer, plain
 * otherwise (http/cookie.h). A new cookie is one more base name here
 * (`kg_` and lower-case letters), used the same way, with Path "/" (an
 * https issuer's __Host- cookies get Path=/ whatever the path). */
#define PORTAL_SESSION_COOKIE	"kg_session"
#define PORTAL_CSRF_COOKIE	"kg_csrf"
/* OWASP device cookie (core/device.h): spares its browser the per-account
 * log-in throttle */
#define PORTAL_DEVICE_COOKIE	"kg_device"

/* Who is looking at a portal page, and the CSRF token for its forms. */
struct visitor {
	bool		 logged_in;
	struct account	 account;
	struct str	 session;	/* cookie value, when logged in */
	/* the session's log-in: when a password was last entered, and how
	 * (AMR_*); OpenID Connect's auth_time and amr */
	int64_t		 auth_time;
	unsigned	 amr;
	char		 csrf[CSRF_TOKEN_BYTES];
};

/* Resolves the session cookie and prepares the CSRF token: bound to the
 * session when logged in, else to a pre-session cookie, which is set on res
 * if the browser has none. Returns 0 or ERR_STORE. */
int	page_visitor(struct request *req, struct response *res,
	    struct visitor *v);

/* True when the form's csrf_token matches the visitor's binding. */
bool	page_csrf_ok(struct request *req, const struct visitor *v,
	    struct str token);

/* Renders template `name` with vars inside the layout, as the whole page. */
void	page_render(struct request *req, struct response *res, int status,
	    const struct visitor *v, const char *title, const char *name,
	    const struct tmpl_var *vars, size_t nvars);

/* A page with a heading and one sentence (errors, refusals). */
void	page_message(struct request *req, struct response *res, int status,
	    const struct visitor *v, const char *heading, const char *message);

/* 403: --require-verified-email holds and the visitor's address is not
 * verified; the page says what to do and offers the link again. */
void	page_unverified(struct request *req, struct response *res,
	    const struct visitor *v);

/* The answer for a form POST without a valid csrf_token. */
void	page_csrf_refused(struct request *req, struct response *res,
	    const struct visitor *v);

/* page_visitor(), answering 503 itself when the store fails. */
bool	page_visitor_or_fail(struct request *req, struct response *res,
	    struct visitor *v);

/* Parses a form POST into values (see params_bind) and checks its
 * csrf_token, which `spec` must list. Returns false after answering (400,
 * 415 or 403) when the form is unusable. */
bool	page_form(struct request *req, struct response *res,
	    const struct visitor *v, const struct param_spec *spec,
	    size_t nspec, struct str *values);

/* 503: the store cannot be reached. */
void	page_unavailable(struct request *req, struct response *res,
	    const struct visitor *v);

/* Starts a session for account_id, logged in by amr (AMR_*), replacing
 * the visitor's old one (no session fixation), and sets the cookie.
 * Returns 0 or ERR_STORE. */
int	page_begin_session(struct request *req, struct response *res,
	    const struct visitor *v, int64_t account_id, unsigned amr);

/* Where a browser's log-in attempt comes from: its address and its device
 * cookie, if it sent one. */
void	page_login_origin(struct request *req, struct login_origin *out);
/* After a browser logged in to account_id: a fresh device cookie for it,
 * for DEVICE_COOKIE_TTL_S. */
void	page_device_cookie(struct request *req, struct response *res,
	    int64_t account_id);

/* Renders the notice box for `message` into out; nothing for NULL. */
void	page_notice(struct buf *out, const char *message);
/* The same for good news ("Saved."). */
void	page_success(struct buf *out, const char *message);

/* The portal's page for an error the server answers itself (404, 405):
 * the layout, the navigation, a heading and a sentence. */
void	page_error(struct request *req, struct response *res, int status,
	    const char *title, const char *detail);

/* The portal's lists (My Applications, Connected apps) show
 * LIST_MAX_LIMIT items a page: ?cursor= (nothing else) into page, whose
 * max is one more. Answers 400 itself and returns false when the query is
 * anything else. */
bool	page_list_query(struct request *req, struct response *res,
	    const struct visitor *v, struct store_page *page);

/* The "Next page" link of list `path` after the item with id `last`,
 * into out. */
void	page_next_link(struct buf *out, const char *path, int64_t last);

/* For pages that need an account: true when logged in, else answers with a
 * redirect to the log-in page that comes back here. */
bool	page_require_login(struct request *req, struct response *res,
	    const struct visitor *v);

/* Loads the visitor's app named by the route's first capture into row;
 * answers (log-in redirect, 404, 503) and returns false when there is none
 * to show. */
bool	page_own_app(struct request *req, struct response *res,
	    struct visitor *v, struct app_row *row);

/* A confirmation page for the visitor's app named by the route: template
 * `name` gets csrf, api_key and name. */
void	page_app_confirm(struct request *req, struct response *res,
	    const char *title, const char *name);

/* The Grant Access pages' parts (/oauth2/authorize's and /device's): the
 * list of scopes in `scope` (grant_scope.html items), and the app's logo
 * (nothing without one). */
void	page_scopes(struct buf *out, unsigned scope);
void	page_logo(struct buf *out, const struct app_row *app);

/* The date part (YYYY-MM-DD) of t, for tables. */
void	page_date(int64_t t, char out[32]);

/* A local path to return to after log-in (`next`), copied to the
 * request's arena; anything else becomes "/". */
const char *page_safe_next(struct request *req, struct str next);

/* Adds Retry-After: seconds. */
void	page_retry_after(struct response *res, int64_t seconds);
/* A refusal for now: Retry-After: wait, and into out "<what> Try again in
 * N minute(s)." (the wait rounded up), for the page's notice. */
void	page_try_again(struct response *res, int64_t wait, const char *what,
	    char *out, size_t len);

#endif
