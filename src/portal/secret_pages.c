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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/apps.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/reveal.h"
#include "portal/page.h"

/* a base name, as page.h's cookies */
#define REVEAL_COOKIE		"kg_reveal"

_Static_assert(REVEAL_TTL_S == 600, "shown_before() says 10 minutes");

static const struct param_spec confirm_form[] = {
	{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	/* seconds the current secret stays valid; absent: 0 */
	{ "keep", 16, false },
};

static const struct param_spec revoke_form[] = {
	{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
};

/* "2026-12-07 01:23 UTC", or `none` for 0. */
static struct str
when_text(struct request *req, int64_t t, const char *none)
{
	char s[32], *out;

	if (t == 0)
		return str_from(none);
	clock_rfc3339(t, s);
	out = arena_alloc(req->arena, 32);
	snprintf(out, 32, "%.10s %.5s UTC", s, s + 11);
	return str_from(out);
}

static void
secret_row(struct request *req, struct buf *rows, const char *label,
    int64_t id, int64_t created, int64_t used, int64_t expires)
{
	char idtext[24];

	snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
	struct tmpl_var vars[] = {
		{ "label", str_from(label) },
		{ "id", str_from(idtext) },
		{ "created", when_text(req, created, "") },
		{ "last_used", when_text(req, used, "never") },
		{ "expires", when_text(req, expires, "until replaced") },
	};
	template_render(rows, "secrets_row.html", vars, 5);
}

void
portal_secret_fragments(struct request *req, const struct app_row *row,
    struct str csrf, struct buf *keep, struct buf *list)
{
	struct buf rows, revoke;
	char idtext[24];

	template_render(keep, "keep_select.html", NULL, 0);
	if (!row->has_secret)
		return;
	buf_init(&rows, 2048);
	buf_init(&revoke, 4096);
	secret_row(req, &rows, "Current", row->secret_id,
	    row->secret_created_at, row->secret_used_at, 0);
	/* apps_get() leaves out an expired old secret */
	if (row->has_old_secret) {
		secret_row(req, &rows, "Old", row->old_secret_id,
		    row->old_secret_created_at, row->old_secret_used_at,
		    row->old_secret_expires_at);
		snprintf(idtext, sizeof(idtext), "%lld",
		    (long long)row->old_secret_id);
		struct tmpl_var rv[] = {
			{ "api_key", str_from(row->api_key) },
			{ "id", str_from(idtext) },
			{ "csrf", csrf },
		};
		template_render(&revoke, "secret_revoke_button.html", rv, 3);
	}
	struct tmpl_var vars[] = {
		{ "rows", buf_str(&rows) },
		{ "revoke", buf_str(&revoke) },
	};
	template_render(list, "secrets_table.html", vars, 2);
	buf_release(&rows);
	buf_release(&revoke);
}

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
	struct app_row *row = xmalloc(sizeof(*row));
	struct visitor v;
	struct buf keep;

	if (page_own_app(req, res, &v, row)) {
		buf_init(&keep, 2048);
		template_render(&keep, "keep_select.html", NULL, 0);
		struct tmpl_var vars[] = {
			{ "csrf", str_from(v.csrf) },
			{ "api_key", str_from(row->api_key) },
			{ "name", str_from(row->name) },
			{ "keep_select", buf_str(&keep) },
		};
		page_render(req, res, 200, &v, "Generate Secret",
		    "secret_confirm.html", vars, 4);
		buf_release(&keep);
	}
	free(row);
}

/* The form's keep: absent 0, else one of APP_KEEP_CHOICES; -1 if not. */
static int64_t
form_keep(struct str s)
{
	long long n;

	if (s.p == NULL)
		return 0;
	return str_to_i64(s, 0, 604800, &n) == 0 && apps_keep_ok(n) ? n : -1;
}

/* The answers of a refused Generate Secret. */
static void
generate_refused(struct request *req, struct response *res,
    const struct visitor *v, int rc)
{
	if (rc == ERR_FORBIDDEN)
		page_unverified(req, res, v);
	else if (rc == ERR_INVALID)
		page_message(req, res, 400, v, "Bad request", "Keep the "
		    "current secret valid for: choose not at all, 1 hour, 24 "
		    "hours or 7 days.");
	else if (rc == ERR_CONFLICT)
		page_message(req, res, 409, v, "Revoke the old secret first",
		    "This application has two valid secrets already: the "
		    "current one and the old one a rotation kept. Revoke the "
		    "old secret on the application's page first, then "
		    "generate a new one.");
	else
		page_unavailable(req, res, v);
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
	struct str in[2];
	int64_t keep;
	int rc;

	if (!page_own_app(req, res, &v, row) ||
	    !page_form(req, res, &v, confirm_form, 2, in))
		goto out;
	keep = form_keep(in[1]);
	rc = keep < 0 ? ERR_INVALID : reveal_begin(req->kg, &shown);
	if (rc == 0)
		rc = apps_new_secret(req->kg, v.account.id,
		    str_from(row->api_key), keep, req->client_addr, secret);
	if (rc == 0)
		rc = reveal_seal(req->kg, &shown, str_from(secret),
		    reveal_context(req, &v, row), sealed);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(&shown, sizeof(shown));
	if (rc != 0) {
		generate_refused(req, res, &v, rc);
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

/* The old secret named by the route's {id}: 0 and its number in *id when
 * the visitor's app has it, valid; else the page is answered. */
static int
old_secret_of(struct request *req, struct response *res,
    const struct visitor *v, const struct app_row *row, char idtext[24])
{
	long long id;

	if (str_to_i64(req->route_params[1], 1, INT64_MAX, &id) != 0)
		id = 0;
	if (id == 0 || !row->has_old_secret || row->old_secret_id != id) {
		bool current = id != 0 && row->has_secret &&
		    row->secret_id == id;

		page_message(req, res, current ? 409 : 404, v, current ?
		    "The current secret" : "No such secret", current ?
		    "This is the current secret: it cannot be revoked. "
		    "Generate a new secret instead." :
		    "This application has no such valid old secret: it may "
		    "have expired or been revoked already.");
		return ERR_NOTFOUND;
	}
	snprintf(idtext, 24, "%lld", id);
	return 0;
}

/* GET /apps/{api_key}/secrets/{id}/revoke: the confirmation (without
 * JavaScript; the app page's dialog posts directly) */
void
portal_secret_revoke_form(struct request *req, struct response *res)
{
	struct app_row *row = xmalloc(sizeof(*row));
	struct visitor v;
	char idtext[24];

	if (page_own_app(req, res, &v, row) &&
	    old_secret_of(req, res, &v, row, idtext) == 0) {
		struct tmpl_var vars[] = {
			{ "csrf", str_from(v.csrf) },
			{ "api_key", str_from(row->api_key) },
			{ "name", str_from(row->name) },
			{ "id", str_from(idtext) },
		};
		page_render(req, res, 200, &v, "Revoke the old secret",
		    "secret_revoke.html", vars, 4);
	}
	free(row);
}

/* POST /apps/{api_key}/secrets/{id}/revoke → the app's page */
void
portal_secret_revoke(struct request *req, struct response *res)
{
	struct app_row *row = xmalloc(sizeof(*row));
	struct visitor v;
	struct str csrf;
	char idtext[24], *loc;
	int rc;

	if (!page_own_app(req, res, &v, row) ||
	    !page_form(req, res, &v, revoke_form, 1, &csrf) ||
	    old_secret_of(req, res, &v, row, idtext) != 0)
		goto out;
	rc = apps_revoke_secret(req->kg, v.account.id, req->client_addr,
	    str_from(row->api_key),
	    row->old_secret_id);
	if (rc == ERR_NOTFOUND || rc == ERR_CONFLICT) {
		page_message(req, res, 404, &v, "No such secret", "The old "
		    "secret expired or was revoked meanwhile.");
		goto out;
	}
	if (rc != 0) {
		page_unavailable(req, res, &v);
		goto out;
	}
	loc = arena_alloc(req->arena, sizeof(row->api_key) + 24);
	snprintf(loc, sizeof(row->api_key) + 24, "/apps/%s?revoked",
	    row->api_key);
	response_redirect(res, 303, loc);
out:
	free(row);
}
