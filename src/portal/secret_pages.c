/* Generate Secret: confirm, generate, show once.
 *
 * The POST that makes the secret does not show it: a reload would post
 * again. It seals the secret (core/sealed.h) into a short-lived cookie
 * scoped to this app's secret pages (to the whole site with an https
 * issuer: __Host- cookies take Path=/) and redirects; the page that shows it
 * clears the cookie as it reads it. The server never keeps the secret, and
 * a reload, the back button or another tab finds nothing to show. */
#include "portal/pages.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/apps.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/sealed.h"
#include "portal/page.h"

/* a base name, as page.h's cookies */
#define REVEAL_COOKIE		"kg_reveal"
#define REVEAL_MAX_AGE_S	300

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

/* POST /apps/{api_key}/secret */
void
portal_secret_generate(struct request *req, struct response *res)
{
	struct app_row *row = xmalloc(sizeof(*row));
	char secret[TOKEN_MAX_BYTES + 1], sealed[SEALED_MAX_BYTES];
	struct visitor v;
	struct str csrf;
	int rc;

	if (!page_own_app(req, res, &v, row) ||
	    !page_form(req, res, &v, confirm_form, 1, &csrf))
		goto out;
	rc = apps_new_secret(req->kg, v.account.id, str_from(row->api_key),
	    secret);
	if (rc == 0)
		rc = sealed_seal(req->kg->reveal_key, str_from(secret),
		    reveal_context(req, &v, row), sealed);
	sodium_memzero(secret, sizeof(secret));
	if (rc != 0) {
		page_unavailable(req, res, &v);
		goto out;
	}
	response_cookie(res, REVEAL_COOKIE, sealed, secret_path(req, row),
	    REVEAL_MAX_AGE_S, req->kg->cfg->secure_cookies);
	{
		char *loc = arena_alloc(req->arena, sizeof(row->api_key) + 24);

		snprintf(loc, sizeof(row->api_key) + 24, "%s/new",
		    secret_path(req, row));
		response_redirect(res, 303, loc);
	}
out:
	free(row);
}

/* GET /apps/{api_key}/secret/new: the one showing */
void
portal_secret_reveal(struct request *req, struct response *res)
{
	struct app_row *row = xmalloc(sizeof(*row));
	char secret[TOKEN_MAX_BYTES + 1];
	struct visitor v;
	struct str sealed;

	if (!page_own_app(req, res, &v, row))
		goto out;
	response_cookie(res, REVEAL_COOKIE, "", secret_path(req, row), 0,
	    req->kg->cfg->secure_cookies);
	if (request_cookie(req, REVEAL_COOKIE, &sealed) != 0 ||
	    sealed_open(req->kg->reveal_key, sealed,
	    reveal_context(req, &v, row), secret, sizeof(secret)) != 0) {
		page_message(req, res, 410, &v, "Secret already shown",
		    "A new secret is shown only once, right after it is "
		    "generated. If you did not store it, generate another "
		    "one from the application's page under My Applications.");
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
