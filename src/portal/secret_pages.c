/* Generate Secret: confirm, generate, show once.
 *
 * The POST that makes the secret does not show it: a reload would post
 * again. It records a showing and seals the secret with it (core/reveal.h)
 * into a short-lived cookie scoped to this app's secret pages (to the whole
 * site with an https issuer: __Host- cookies take Path=/), and redirects;
 * the page that shows it uses the showing up in the store and clears the
 * cookie. The server never keeps the secret; a reload, the back button,
 * another tab or the same cookie sent again finds nothing to show. */
#include "portal/pages.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/apps.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/reveal.h"
#include "portal/page.h"

/* a base name, as page.h's cookies */
#define REVEAL_COOKIE		"kg_reveal"

_Static_assert(REVEAL_TTL_S == 600, "shown_before() says 10 minutes");

static const struct param_spec confirm_form[] = {
	{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
};

/* The sealed value is bound to the session and the app. */
static struct str
reveal_context(struct request *req, const struct visitor *v,
    const struct app_row *row)
{
	struct buf b;
	char *copy;

	buf_init(&b, 512);
	buf_putstr(&b, v->session);
	buf_puts(&b, "|");
	buf_puts(&b, row->api_key);
	copy = arena_strdup(req->arena, buf_str(&b));
	buf_release(&b);
	return str_from(copy);
}

static char *
secret_path(struct request *req, const struct app_row *row)
{
	size_t n = sizeof(row->api_key) + 16;
	char *p = arena_alloc(req->arena, n);

	snprintf(p, n, "/apps/%s/secret", row->api_key);
	return p;
}

/* GET /apps/{api_key}/secret */
void
portal_secret_confirm(struct request *req, struct response *res)
{
	page_app_confirm(req, res, "Generate Secret", "secret_confirm.html");
}

/* POST /apps/{api_key}/secret. The showing is recorded before the secret
 * is replaced: a store that fails leaves the old secret working. */
void
portal_secret_generate(struct request *req, struct response *res)
{
	struct app_row *row = xmalloc(sizeof(*row));
	char secret[TOKEN_MAX_BYTES + 1], sealed[SEALED_MAX_BYTES];
	struct reveal shown;
	struct visitor v;
	struct str csrf;
	int rc;

	if (!page_own_app(req, res, &v, row) ||
	    !page_form(req, res, &v, confirm_form, 1, &csrf))
		goto out;
	rc = reveal_begin(req->kg, &shown);
	if (rc == 0)
		rc = apps_new_secret(req->kg, v.account.id,
		    str_from(row->api_key), req->client_addr, secret);
	if (rc == 0)
		rc = reveal_seal(req->kg, &shown, str_from(secret),
		    reveal_context(req, &v, row), sealed);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(&shown, sizeof(shown));
	if (rc == ERR_FORBIDDEN) {
		page_unverified(req, res, &v);
		goto out;
	}
	if (rc != 0) {
		page_unavailable(req, res, &v);
		goto out;
	}
	response_cookie(res, REVEAL_COOKIE, sealed, secret_path(req, row),
	    REVEAL_TTL_S, req->kg->cfg->secure_cookies);
	{
		char *loc = arena_alloc(req->arena, sizeof(row->api_key) + 24);

		snprintf(loc, sizeof(row->api_key) + 24, "%s/new",
		    secret_path(req, row));
		response_redirect(res, 303, loc);
	}
out:
	free(row);
}

/* 410 for a showing that is over: taken before, or too old. */
static void
shown_before(struct request *req, struct response *res,
    const struct visitor *v, int rc)
{
	page_message(req, res, 410, v, rc == ERR_EXPIRED ?
	    "Secret no longer shown" : "Secret already shown",
	    rc == ERR_EXPIRED ?
	    "A new secret is shown only once, within 10 minutes of being "
	    "generated, and that time has passed. If you did not store it, "
	    "generate another one from the application's page under My "
	    "Applications: the new one replaces it." :
	    "A new secret is shown only once, right after it is "
	    "generated, and this one has been shown already. If you did not "
	    "store it, generate another one from the application's page "
	    "under My Applications: the new one replaces it.");
}

/* GET /apps/{api_key}/secret/new: the one showing */
void
portal_secret_reveal(struct request *req, struct response *res)
{
	struct app_row *row = xmalloc(sizeof(*row));
	char secret[TOKEN_MAX_BYTES + 1];
	struct visitor v;
	struct str sealed;
	int rc;

	if (!page_own_app(req, res, &v, row))
		goto out;
	response_cookie(res, REVEAL_COOKIE, "", secret_path(req, row), 0,
	    req->kg->cfg->secure_cookies);
	rc = request_cookie(req, REVEAL_COOKIE, &sealed) != 0 ? ERR_AUTH :
	    reveal_take(req->kg, sealed, reveal_context(req, &v, row),
	    secret);
	if (rc == ERR_STORE) {
		page_unavailable(req, res, &v);
		goto out;
	}
	if (rc != 0) {
		shown_before(req, res, &v, rc);
		goto out;
	}
	struct tmpl_var vars[] = {
		{ "api_key", str_from(row->api_key) },
		{ "name", str_from(row->name) },
		{ "secret", str_from(secret) },
	};
	page_render(req, res, 200, &v, "New secret", "secret_shown.html", vars,
	    3);
	sodium_memzero(secret, sizeof(secret));
out:
	free(row);
}
