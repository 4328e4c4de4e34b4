/* GET|POST /oauth2/logout: OpenID Connect RP-Initiated Logout 1.0
 * (docs/REFERENCE.md §14.5). It ends the browser session only; the tokens
 * apps hold live on (§4 and /oauth2/revoke are for those). */
#include "portal/pages.h"

#include <string.h>

#include "core/apps.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/idtoken.h"
#include "core/sessions.h"
#include "http/form.h"
#include "portal/page.h"

enum { L_HINT, L_URI, L_CLIENT, L_STATE, L_CSRF, L_COUNT };

static const struct param_spec logout_spec[L_COUNT] = {
	[L_HINT] = { "id_token_hint", IDTOKEN_MAX_BYTES, false },
	[L_URI] = { "post_logout_redirect_uri", APP_URI_MAX_BYTES, false },
	[L_CLIENT] = { "client_id", APP_API_KEY_MAX_BYTES, false },
	[L_STATE] = { "state", 1024, false },
	/* only on the confirmation's own form */
	[L_CSRF] = { "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
};

/* A logout request, checked. */
struct logout {
	struct str		 in[L_COUNT];
	bool			 has_hint;	/* valid */
	struct idtoken_hint	 hint;
	bool			 has_uri;	/* registered for the app */
};

static void
refuse(struct request *req, struct response *res, const struct visitor *v,
    const char *message)
{
	page_message(req, res, 400, v, "Cannot log out from here", message);
}

/* The app named by the hint's aud, else by client_id; ERR_NOTFOUND when
 * neither names one. */
static int
logout_app(struct request *req, const struct logout *l,
    struct app_row *app)
{
	struct str key = l->has_hint ? str_from(l->hint.aud) :
	    l->in[L_CLIENT];

	if (key.len == 0)
		return ERR_NOTFOUND;
	return apps_get(req->kg, STORE_ANY_ACCOUNT, key, app);
}

/* Reads and checks the parameters; answers (400, never a redirect) and
 * returns false when they are unusable. */
static bool
logout_read(struct request *req, struct response *res,
    const struct visitor *v, const struct params *ps, struct logout *l)
{
	struct app_row *app;
	const char *bad;
	int rc;

	memset(l, 0, sizeof(*l));
	if (params_bind(ps, logout_spec, L_COUNT, true, l->in, &bad) != 0) {
		refuse(req, res, v, "The request repeats a parameter or "
		    "carries one too long.");
		return false;
	}
	if (l->in[L_HINT].len > 0) {
		if (idtoken_read_hint(req->kg, l->in[L_HINT], &l->hint) != 0) {
			refuse(req, res, v, "The id_token_hint is not an ID "
			    "token this server issued.");
			return false;
		}
		l->has_hint = true;
		if (l->in[L_CLIENT].len > 0 &&
		    !str_eq(l->in[L_CLIENT], str_from(l->hint.aud))) {
			refuse(req, res, v, "The client_id is not the "
			    "audience of the id_token_hint.");
			return false;
		}
	}
	if (l->in[L_URI].len == 0)
		return true;
	app = xmalloc(sizeof(*app));
	rc = logout_app(req, l, app);
	l->has_uri = rc == 0 && apps_post_logout_uri_ok(app, l->in[L_URI]);
	free(app);
	if (rc != 0 && rc != ERR_NOTFOUND) {
		page_unavailable(req, res, v);
		return false;
	}
	if (!l->has_uri) {
		refuse(req, res, v, "The post_logout_redirect_uri is not one "
		    "registered for the application (an id_token_hint or a "
		    "client_id must name it).");
		return false;
	}
	return true;
}

/* After the session is gone (or there was none): back to the app, or a
 * page saying so. */
static void
logout_done(struct request *req, struct response *res,
    const struct visitor *v, const struct logout *l)
{
	struct buf b;
	char *loc;

	if (!l->has_uri) {
		page_message(req, res, 200, v, "You are logged out",
		    "You are logged out of keygate.");
		return;
	}
	buf_init(&b, APP_URI_MAX_BYTES * 4);
	buf_putstr(&b, l->in[L_URI]);
	if (l->in[L_STATE].p != NULL) {
		buf_puts(&b, memchr(l->in[L_URI].p, '?', l->in[L_URI].len) ?
		    "&state=" : "?state=");
		form_encode(&b, l->in[L_STATE]);
	}
	loc = arena_alloc(req->arena, b.len + 1);
	memcpy(loc, b.p, b.len + 1);
	response_redirect(res, 303, b.err == 0 ? loc : "/");
	response_header(res, "Cache-Control", "no-store");
	buf_release(&b);
}

/* Ends the visitor's session and clears its cookie. */
static bool
end_session(struct request *req, struct response *res, struct visitor *v)
{
	if (v->logged_in && sessions_end(req->kg, v->session) != 0) {
		page_unavailable(req, res, v);
		return false;
	}
	if (v->logged_in)
		response_cookie(res, PORTAL_SESSION_COOKIE, "", "/", 0,
		    req->kg->cfg->secure_cookies);
	v->logged_in = false;
	return true;
}

/* "Log out of keygate?": the request's parameters ride along hidden. */
static void
confirm(struct request *req, struct response *res, const struct visitor *v,
    const struct logout *l)
{
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "id_token_hint", l->in[L_HINT] },
		{ "post_logout_redirect_uri", l->in[L_URI] },
		{ "client_id", l->in[L_CLIENT] },
		{ "state", l->in[L_STATE] },
	};

	page_render(req, res, 200, v, "Log out of keygate?",
	    "end_session.html", vars, sizeof(vars) / sizeof(vars[0]));
	response_header(res, "Cache-Control", "no-store");
}

/* The relying party's request (GET, or POST without the confirmation's
 * csrf_token). */
static void
logout_request(struct request *req, struct response *res,
    struct visitor *v, const struct logout *l)
{
	if (v->logged_in && l->has_hint &&
	    l->hint.sub == v->account.id) {
		if (end_session(req, res, v))
			logout_done(req, res, v, l);
	} else if (v->logged_in) {
		confirm(req, res, v, l);
	} else {
		logout_done(req, res, v, l);
	}
}

void
portal_end_session(struct request *req, struct response *res)
{
	struct visitor v;
	struct params ps;
	struct logout l;

	if (!page_visitor_or_fail(req, res, &v))
		return;
	if (request_query(req, &ps) != 0) {
		refuse(req, res, &v, "The query is malformed.");
		return;
	}
	if (logout_read(req, res, &v, &ps, &l))
		logout_request(req, res, &v, &l);
}

void
portal_end_session_post(struct request *req, struct response *res)
{
	struct visitor v;
	struct params ps;
	struct logout l;

	if (!page_visitor_or_fail(req, res, &v))
		return;
	if (request_form(req, &ps) != 0) {
		refuse(req, res, &v, "Send the parameters as "
		    "application/x-www-form-urlencoded.");
		return;
	}
	if (!logout_read(req, res, &v, &ps, &l))
		return;
	if (l.in[L_CSRF].p == NULL) {
		logout_request(req, res, &v, &l);
		return;
	}
	/* the confirmation's form: the visitor chose to log out */
	if (!page_csrf_ok(req, &v, l.in[L_CSRF])) {
		page_csrf_refused(req, res, &v);
		return;
	}
	if (end_session(req, res, &v))
		logout_done(req, res, &v, &l);
}
