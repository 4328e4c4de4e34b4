/* GET /.well-known/oauth-protected-resource (RFC 9728; docs/REFERENCE.md
 * §19): the metadata of the built-in API, and the challenge parameter
 * that points to it. */
#include "oauth/oauth.h"

#include "core/scopes.h"

/* RFC 9728 §3.3: `resource` must equal the URL the document was fetched
 * from with the well-known part taken out. The document sits at the
 * issuer's root, so the resource is the issuer itself: /v3, /oauth2/check
 * and /oauth2/userinfo are all on it, under the same tokens. */
#define RESOURCE_METADATA_PATH	"/.well-known/oauth-protected-resource"

void
oauth_resource_metadata_param(const struct keygate *kg, struct buf *b)
{
	buf_puts(b, "resource_metadata=\"");
	buf_puts(b, kg->cfg->issuer);
	buf_puts(b, RESOURCE_METADATA_PATH "\"");
}

void
oauth_protected_resource(struct request *req, struct response *res)
{
	const char *iss = req->kg->cfg->issuer;
	json_t *scopes = json_array();

	for (size_t k = 0; k < scopes_count; k++)
		json_array_append_new(scopes,
		    json_string(scopes_offered[k].name));
	response_json(res, 200, json_pack("{s:s, s:[s], s:o, s:[s], "
	    "s:[sss], s:b, s:o, s:o}",
	    "resource", iss,
	    "authorization_servers", iss,
	    "scopes_supported", scopes,
	    "bearer_methods_supported", "header",
	    "dpop_signing_alg_values_supported", "ES256", "EdDSA", "RS256",
	    /* per app (§2), so not for the resource as a whole */
	    "dpop_bound_access_tokens_required", 0,
	    "resource_documentation", json_sprintf("%s/", iss),
	    "resource_name", json_sprintf("%s API", req->kg->cfg->brand)));
	response_header(res, "Cache-Control", "public, max-age=3600");
}
