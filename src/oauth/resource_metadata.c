/* Protected resource metadata (RFC 9728; docs/REFERENCE.md §19, §22.1):
 * the built-in API's at /.well-known/oauth-protected-resource, a
 * registered resource's at /oauth2/resource-metadata?resource=URI, and the
 * challenge parameter that points to the first. */
#include "oauth/oauth.h"

#include <string.h>

#include "core/scopes.h"

/* RFC 9728 §3.3: `resource` must equal the URL the document was fetched
 * from with the well-known part taken out. The document sits at the
 * issuer's root, so the resource is the issuer itself: /v3, /oauth2/check
 * and /oauth2/userinfo are all on it, under the same tokens. */
#define RESOURCE_METADATA_PATH	"/.well-known/oauth-protected-resource"

void
oauth_resource_metadata_param(const struct request *req, struct buf *b)
{
	struct str called = request_header(req, "X-Keygate-Resource");
	const struct resource_info *r = NULL;
	const char *host, *path;

	if (called.p != NULL)
		r = scopes_resource(scopes_now(), called);
	buf_puts(b, "resource_metadata=\"");
	/* RFC 9728 §3.1: the well-known part goes between the resource's
	 * host and its path (a registered URI has both, and no user, query
	 * or fragment); the proxy in front of the resource routes that URL
	 * to /oauth2/resource-metadata */
	if (r != NULL && r->bit != SCOPE_AUD_BUILTIN &&
	    (host = strstr(r->uri, "://")) != NULL) {
		host += 3;
		path = host + strcspn(host, "/");
		buf_printf(b, "%.*s" RESOURCE_METADATA_PATH "%s\"",
		    (int)(path - r->uri), r->uri, strcmp(path, "/") == 0 ? "" :
		    path);
		return;
	}
	buf_puts(b, req->kg->cfg->issuer);
	buf_puts(b, RESOURCE_METADATA_PATH "\"");
}

static void
answer(struct request *req, struct response *res, const char *uri,
    const char *name, unsigned scope_bits, bool builtin)
{
	const struct scope_table *t = scopes_now();
	const char *iss = req->kg->cfg->issuer;
	json_t *scopes = json_array(), *doc;

	for (size_t k = 0; k < t->nscopes; k++)
		if (t->scopes[k].bit & scope_bits)
			json_array_append_new(scopes,
			    json_string(t->scopes[k].name));
	doc = json_pack("{s:s, s:[s], s:o, s:[s], s:[sss], s:b, s:s}",
	    "resource", uri,
	    "authorization_servers", iss,
	    "scopes_supported", scopes,
	    "bearer_methods_supported", "header",
	    "dpop_signing_alg_values_supported", "ES256", "EdDSA", "RS256",
	    /* per app (§2), so not for the resource as a whole */
	    "dpop_bound_access_tokens_required", 0,
	    "resource_name", name);
	if (builtin)
		json_object_set_new(doc, "resource_documentation",
		    json_sprintf("%s/", iss));
	response_json(res, 200, doc);
	response_header(res, "Cache-Control", "public, max-age=3600");
}

void
oauth_protected_resource(struct request *req, struct response *res)
{
	char name[RESOURCE_NAME_MAX_BYTES + 8];

	snprintf(name, sizeof(name), "%s API", req->kg->cfg->brand);
	answer(req, res, req->kg->cfg->issuer, name, SCOPE_BUILTIN, true);
}

void
oauth_resource_metadata(struct request *req, struct response *res)
{
	struct params ps;
	struct str uri;
	const struct resource_info *r;

	if (request_query(req, &ps) != 0 ||
	    (uri = params_get(&ps, "resource")).len == 0) {
		response_json_error(res, 400, "invalid_request",
		    "Name the resource: ?resource=URI.");
		return;
	}
	r = scopes_resource(scopes_now(), uri);
	if (r == NULL) {
		response_json_error(res, 404, "not_found",
		    "This server guards no resource at that URI.");
		return;
	}
	if (r->bit == SCOPE_AUD_BUILTIN) {
		oauth_protected_resource(req, res);
		return;
	}
	answer(req, res, r->uri, r->name, r->scopes, false);
}
