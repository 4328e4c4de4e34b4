/* An application's page: its settings, Save, and Delete. */
#include "portal/pages.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/app_rules.h"
#include "core/apps.h"
#include "core/usage.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "portal/page.h"
#include "portal/usage_chart.h"

enum { F_CSRF, F_URIS, F_PUBLIC_NAME, F_LOGO, F_DESCRIPTION, F_IMPLICIT,
	F_ALG, F_LOGOUT_URIS, F_DEVICE, F_DPOP, F_PAR, F_COUNT };

static const struct param_spec settings_form[F_COUNT] = {
	[F_CSRF] = { "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	[F_URIS] = { "redirect_uris", HTTP_MAX_PARAM_VALUE_BYTES, false },
	[F_PUBLIC_NAME] = { "public_name", APP_NAME_MAX_BYTES * 4, false },
	[F_LOGO] = { "logo_url", APP_URI_MAX_BYTES * 2, false },
	[F_DESCRIPTION] = { "description", APP_DESCRIPTION_MAX_BYTES * 2,
	    false },
	[F_IMPLICIT] = { "implicit_flow", 8, false },
	[F_ALG] = { "id_token_signed_response_alg", 16, false },
	[F_LOGOUT_URIS] = { "post_logout_redirect_uris",
	    HTTP_MAX_PARAM_VALUE_BYTES, false },
	[F_DEVICE] = { "device_flow", 8, false },
	[F_DPOP] = { "dpop_bound_access_tokens", 8, false },
	[F_PAR] = { "require_pushed_authorization_requests", 8, false },
};

/* What the form shows: the stored values, or what the user typed. */
struct shown {
	struct str		 uris, public_name, logo_url, description;
	struct str		 alg, logout_uris;
	bool			 implicit;
	bool			 device;
	bool			 dpop, par;
	struct app_errors	 errs;
	const char		*notice;
	bool			 saved;
	const char		*saved_message;	/* with saved */
};

static struct str
selected(struct str alg, const char *name)
{
	return str_from(str_eq_lit(alg, name) ? "selected" : "");
}

/* "Usage, last 7 days": the 168 hours ending with the current one, or a
 * sentence when they cannot be read (the page itself still works). */
static void
usage(struct request *req, const struct app_row *row, struct buf *out)
{
	int64_t now = clock_now(req->kg->clock);
	int64_t to = now - now % 3600;
	struct usage_hour *hours = NULL;
	size_t n = 0;

	if (usage_hours(req->kg, row->id, to - 167 * 3600, to, &hours,
	    &n) == 0)
		usage_chart_html(out, row->name, hours, n);
	else
		buf_puts(out, "<p class=\"usage-empty\">Usage is not "
		    "available right now.</p>\n");
	free(hours);
}

static void
render(struct request *req, struct response *res, int status,
    const struct visitor *v, const struct app_row *row,
    const struct shown *s)
{
	char created[32];
	struct buf nb, keep, secrets, chart;

	page_date(row->created_at, created);
	buf_init(&chart, 256 * 1024);
	usage(req, row, &chart);
	buf_init(&nb, 1024);
	buf_init(&keep, 2048);
	buf_init(&secrets, 8192);
	portal_secret_fragments(req, row, str_from(v->csrf), &keep, &secrets);
	if (s->saved)
		page_success(&nb, s->saved_message);
	else
		page_notice(&nb, s->notice);
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "api_key", str_from(row->api_key) },
		{ "name", str_from(row->name) },
		{ "created", str_from(created) },
		{ "secret_state", str_from(row->has_secret ? "Set (hidden)." :
		    "None yet.") },
		{ "redirect_uris", s->uris },
		{ "public_name", s->public_name },
		{ "logo_url", s->logo_url },
		{ "description", s->description },
		{ "implicit_checked", str_from(s->implicit ? "checked" : "") },
		{ "device_checked", str_from(s->device ? "checked" : "") },
		{ "dpop_checked", str_from(s->dpop ? "checked" : "") },
		{ "par_checked", str_from(s->par ? "checked" : "") },
		{ "rs256_selected", selected(s->alg, "RS256") },
		{ "es256_selected", selected(s->alg, "ES256") },
		{ "eddsa_selected", selected(s->alg, "EdDSA") },
		{ "post_logout_redirect_uris", s->logout_uris },
		{ "id_token_alg_error", str_from(s->errs.id_token_alg) },
		{ "post_logout_redirect_uris_error",
		    str_from(s->errs.post_logout_redirect_uris) },
		{ "redirect_uris_error", str_from(s->errs.redirect_uris) },
		{ "public_name_error", str_from(s->errs.public_name) },
		{ "logo_url_error", str_from(s->errs.logo_url) },
		{ "description_error", str_from(s->errs.description) },
		{ "notice", buf_str(&nb) },
		{ "keep_select", buf_str(&keep) },
		{ "secrets", buf_str(&secrets) },
		{ "usage", buf_str(&chart) },
	};
	page_render(req, res, status, v, row->name, "app.html", vars,
	    sizeof(vars) / sizeof(vars[0]));
	buf_release(&nb);
	buf_release(&keep);
	buf_release(&secrets);
	buf_release(&chart);
}

/* GET /apps/{api_key} */
void
portal_app_show(struct request *req, struct response *res)
{
	struct app_row *row = xmalloc(sizeof(*row));
	struct visitor v;
	struct params ps;
	struct shown s = { 0 };

	if (page_own_app(req, res, &v, row)) {
		s.uris = str_from(row->redirect_uris);
		s.public_name = str_from(row->public_name);
		s.logo_url = str_from(row->logo_url);
		s.description = str_from(row->description);
		s.implicit = row->implicit_flow;
		s.device = row->device_flow;
		s.dpop = row->dpop_bound;
		s.par = row->require_par;
		s.alg = str_from(row->id_token_alg[0] != '\0' ?
		    row->id_token_alg : "RS256");
		s.logout_uris = str_from(row->post_logout_redirect_uris);
		/* where a POST of this page or of its secrets came back */
		ps.n = 0;
		if (request_query(req, &ps) == 0 && ps.n == 1 &&
		    str_eq_lit(ps.v[0].name, "saved"))
			s.saved_message = "Saved.";
		else if (ps.n == 1 && str_eq_lit(ps.v[0].name, "revoked"))
			s.saved_message = "The old secret was revoked: it no "
			    "longer works.";
		s.saved = s.saved_message != NULL;
		render(req, res, 200, &v, row, &s);
	}
	free(row);
}

/* POST /apps/{api_key}: all fields at once; nothing is stored unless every
 * one is valid, and then the page comes back with "Saved". */
void
portal_app_save(struct request *req, struct response *res)
{
	struct app_row *row = xmalloc(sizeof(*row));
	struct app_fields f = { 0 };
	struct visitor v;
	struct str in[F_COUNT];
	struct shown s = { 0 };
	int rc;

	if (!page_own_app(req, res, &v, row) ||
	    !page_form(req, res, &v, settings_form, F_COUNT, in))
		goto out;
	f.has_redirect_uris = f.has_public_name = f.has_logo_url = true;
	f.has_description = f.has_implicit_flow = f.has_device_flow = true;
	f.has_dpop_bound = f.has_require_par = true;
	f.n_redirect_uris = app_rule_split_lines(in[F_URIS], f.redirect_uris,
	    APP_MAX_REDIRECT_URIS);
	f.public_name = in[F_PUBLIC_NAME];
	f.logo_url = str_trim(in[F_LOGO]);
	f.description = in[F_DESCRIPTION];
	f.implicit_flow = str_eq_lit(in[F_IMPLICIT], "on");
	f.device_flow = str_eq_lit(in[F_DEVICE], "on");
	f.dpop_bound = str_eq_lit(in[F_DPOP], "on");
	f.require_par = str_eq_lit(in[F_PAR], "on");
	/* the select always sends one; a form without it keeps the alg */
	f.has_id_token_alg = in[F_ALG].p != NULL;
	f.id_token_alg = in[F_ALG];
	f.has_post_logout_redirect_uris = true;
	f.n_post_logout_redirect_uris = app_rule_split_lines(
	    in[F_LOGOUT_URIS], f.post_logout_redirect_uris,
	    APP_MAX_REDIRECT_URIS);
	rc = apps_update(req->kg, v.account.id, req->client_addr,
	    req->route_params[0], &f, row,
	    &s.errs);
	if (rc == 0) {
		char *loc = arena_alloc(req->arena, sizeof(row->api_key) + 16);

		snprintf(loc, sizeof(row->api_key) + 16, "/apps/%s?saved=1",
		    row->api_key);
		response_redirect(res, 303, loc);
	} else if (rc == ERR_INVALID) {
		s.uris = in[F_URIS];
		s.public_name = in[F_PUBLIC_NAME];
		s.logo_url = in[F_LOGO];
		s.description = in[F_DESCRIPTION];
		s.implicit = f.implicit_flow;
		s.device = f.device_flow;
		s.dpop = f.dpop_bound;
		s.par = f.require_par;
		s.alg = in[F_ALG];
		s.logout_uris = in[F_LOGOUT_URIS];
		s.notice = "Nothing was saved: correct the fields marked "
		    "below.";
		render(req, res, 422, &v, row, &s);
	} else {
		page_unavailable(req, res, &v);
	}
out:
	free(row);
}

/* GET /apps/{api_key}/delete: the confirmation */
void
portal_app_delete_form(struct request *req, struct response *res)
{
	page_app_confirm(req, res, "Delete application", "app_delete.html");
}

/* POST /apps/{api_key}/delete */
void
portal_app_delete(struct request *req, struct response *res)
{
	static const struct param_spec spec[] = {
		{ "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	};
	struct app_row *row = xmalloc(sizeof(*row));
	struct visitor v;
	struct str csrf;

	if (page_own_app(req, res, &v, row) && page_form(req, res, &v, spec, 1,
	    &csrf)) {
		if (apps_delete(req->kg, v.account.id, req->client_addr,
		    str_from(row->api_key)) == 0)
			response_redirect(res, 303, "/apps");
		else
			page_unavailable(req, res, &v);
	}
	free(row);
}
