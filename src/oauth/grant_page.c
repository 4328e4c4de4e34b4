#include "oauth/grant_page.h"

#include "core/cimd_client.h"
#include "core/scopes.h"

static void
hidden(struct buf *out, const char *name, struct str value)
{
	struct tmpl_var vars[] = {
		{ "name", str_from(name) },
		{ "value", value },
	};

	if (value.p != NULL)
		template_render(out, "grant_hidden.html", vars, 2);
}

/* The parts both pages share: the request as hidden fields (one list,
 * so the two forms cannot drift apart), the logo and the notice. */
struct page_parts {
	struct buf	 fields, logo, notice, cimd;
};

/* The request itself, when it came whole (not pushed, §18). */
static void
request_fields(struct page_parts *pp, const struct authz_params *p,
    const struct authz_request *r)
{
	char scope[SCOPES_TEXT_MAX];

	scopes_format(r->scope, scope);
	hidden(&pp->fields, "response_type",
	    str_from(r->flow == AUTHZ_TOKEN ? "token" : "code"));
	hidden(&pp->fields, "redirect_uri", r->redirect_uri);
	hidden(&pp->fields, "scope", str_from(scope));
	hidden(&pp->fields, "resource", p->resource);
	hidden(&pp->fields, "state", p->state);
	hidden(&pp->fields, "code_challenge", p->code_challenge);
	hidden(&pp->fields, "code_challenge_method",
	    p->code_challenge_method);
	hidden(&pp->fields, "nonce", p->nonce);
	hidden(&pp->fields, "prompt", p->prompt);
	hidden(&pp->fields, "max_age", p->max_age);
	hidden(&pp->fields, "login_hint", p->login_hint);
	hidden(&pp->fields, "dpop_jkt", p->dpop_jkt);
}

/* A client known only by its metadata document (docs/REFERENCE.md §22.2):
 * its host, and that no one here registered or reviewed it. */
static void
cimd_notice(struct buf *out, const struct app_row *app)
{
	struct str host = cimd_client_host(str_from(app->api_key));
	struct tmpl_var vars[] = { { "host", host } };

	buf_init(out, 1024);
	if (host.p != NULL)
		template_render(out, "grant_cimd.html", vars, 1);
}

static void
parts_init(struct page_parts *pp, const struct visitor *v,
    const struct app_row *app, const struct authz_params *p,
    const struct authz_request *r, const char *proof, const char *notice)
{
	buf_init(&pp->fields, 8192);
	buf_init(&pp->logo, 4096);
	buf_init(&pp->notice, 1024);
	hidden(&pp->fields, "csrf_token", str_from(v->csrf));
	hidden(&pp->fields, "client_id", str_from(app->api_key));
	/* a pushed request is carried by its reference (§18) alone */
	hidden(&pp->fields, "request_uri", p->request_uri);
	if (p->request_uri.p == NULL)
		request_fields(pp, p, r);
	if (proof != NULL)
		hidden(&pp->fields, "login_proof", str_from(proof));
	page_logo(&pp->logo, app);
	page_notice(&pp->notice, notice);
	cimd_notice(&pp->cimd, app);
}

static void
parts_release(struct page_parts *pp)
{
	buf_release(&pp->fields);
	buf_release(&pp->logo);
	buf_release(&pp->notice);
	buf_release(&pp->cimd);
}

/* Renders `tmpl` with the shared variables and `extra` (name, value). */
static void
render(struct request *req, struct response *res, int status,
    const struct visitor *v, const struct app_row *app,
    struct page_parts *pp, const char *title, const char *tmpl,
    const char *extra, struct buf *value)
{
	struct tmpl_var vars[] = {
		{ "public_name", str_from(app->public_name) },
		{ "description", str_from(app->description) },
		{ "logo", buf_str(&pp->logo) },
		{ "notice", buf_str(&pp->notice) },
		{ "fields", buf_str(&pp->fields) },
		{ "cimd", buf_str(&pp->cimd) },
		{ extra, buf_str(value) },
	};

	page_render(req, res, status, v, title, tmpl, vars,
	    sizeof(vars) / sizeof(vars[0]));
}

void
grant_page(struct request *req, struct response *res, int status,
    const struct visitor *v, const struct app_row *app,
    const struct authz_params *p, const struct authz_request *r,
    const char *proof, const char *notice)
{
	struct page_parts pp;
	struct buf scopes;

	parts_init(&pp, v, app, p, r, proof, notice);
	buf_init(&scopes, 8192);
	page_scopes(&scopes, r->scope);
	render(req, res, status, v, app, &pp, "Grant access", "grant.html",
	    "scopes", &scopes);
	buf_release(&scopes);
	parts_release(&pp);
}

void
grant_code_page(struct request *req, struct response *res, int status,
    const struct visitor *v, const struct app_row *app,
    const struct authz_params *p, const struct authz_request *r,
    const char *proof, const char *notice)
{
	struct page_parts pp;
	struct buf field;

	parts_init(&pp, v, app, p, r, NULL, notice);
	hidden(&pp.fields, "step_proof", str_from(proof));
	buf_init(&field, 4096);
	template_render(&field, "code_field.html", NULL, 0);
	render(req, res, status, v, app, &pp, "Log in", "grant_code.html",
	    "credentials", &field);
	buf_release(&field);
	parts_release(&pp);
}

void
grant_login_page(struct request *req, struct response *res, int status,
    const struct visitor *v, const struct app_row *app,
    const struct authz_params *p, const struct authz_request *r,
    const char *notice)
{
	struct page_parts pp;
	struct buf creds;
	/* login_hint only fills the field: whoever logs in is who it is */
	struct tmpl_var hint[] = { { "email", r->login_hint } };

	parts_init(&pp, v, app, p, r, NULL, notice);
	buf_init(&creds, 4096);
	template_render(&creds, v->logged_in ? "grant_password.html" :
	    "grant_login.html", hint, 1);
	render(req, res, status, v, app, &pp, "Log in", "grant_reauth.html",
	    "credentials", &creds);
	buf_release(&creds);
	parts_release(&pp);
}
