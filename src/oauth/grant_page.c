#include "oauth/grant_page.h"

#include "core/scopes.h"

static void
render_scopes(struct buf *out, unsigned scope)
{
	for (size_t k = 0; k < scopes_count; k++) {
		if (!(scope & scopes_offered[k].bit))
			continue;
		struct tmpl_var vars[] = {
			{ "name", str_from(scopes_offered[k].name) },
			{ "description",
			    str_from(scopes_offered[k].description) },
		};
		template_render(out, "grant_scope.html", vars, 2);
	}
}

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

static void
render_logo(struct buf *out, const struct app_row *app)
{
	struct tmpl_var vars[] = {
		{ "url", str_from(app->logo_url) },
		{ "alt", str_from(app->public_name) },
	};

	if (app->logo_url[0] != '\0')
		template_render(out, "grant_logo.html", vars, 2);
}

void
grant_page(struct request *req, struct response *res, int status,
    const struct visitor *v, const struct app_row *app,
    const struct authz_params *p, const struct authz_request *r,
    const char *notice)
{
	char scope[SCOPES_TEXT_MAX];
	struct buf scopes, optional, creds, logo, nb;

	scopes_format(r->scope, scope);
	buf_init(&scopes, 8192);
	buf_init(&optional, 8192);
	buf_init(&creds, 4096);
	buf_init(&logo, 4096);
	buf_init(&nb, 1024);
	render_scopes(&scopes, r->scope);
	hidden(&optional, "state", p->state);
	hidden(&optional, "code_challenge", p->code_challenge);
	hidden(&optional, "code_challenge_method", p->code_challenge_method);
	if (r->flow == AUTHZ_TOKEN)
		template_render(&creds, v->logged_in ? "grant_password.html" :
		    "grant_login.html", NULL, 0);
	render_logo(&logo, app);
	page_notice(&nb, notice);
	struct tmpl_var vars[] = {
		{ "public_name", str_from(app->public_name) },
		{ "description", str_from(app->description) },
		{ "logo", buf_str(&logo) },
		{ "scopes", buf_str(&scopes) },
		{ "notice", buf_str(&nb) },
		{ "csrf", str_from(v->csrf) },
		{ "response_type", str_from(r->flow == AUTHZ_TOKEN ? "token" :
		    "code") },
		{ "client_id", str_from(app->api_key) },
		{ "redirect_uri", r->redirect_uri },
		{ "scope", str_from(scope) },
		{ "optional", buf_str(&optional) },
		{ "credentials", buf_str(&creds) },
	};
	page_render(req, res, status, v, "Grant access", "grant.html", vars,
	    sizeof(vars) / sizeof(vars[0]));
	buf_release(&scopes);
	buf_release(&optional);
	buf_release(&creds);
	buf_release(&logo);
	buf_release(&nb);
}
