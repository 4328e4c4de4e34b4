/* GET /.well-known/oauth-authorization-server (RFC 8414; docs/REFERENCE.md
 * §3.1). */
#include "oauth/oauth.h"

#include "core/scopes.h"

static json_t *
endpoint(const char *issuer, const char *path)
{
	return json_sprintf("%s%s", issuer, path);
}

void
oauth_metadata(struct request *req, struct response *res)
{
	const char *iss = req->kg->cfg->issuer;
	json_t *scopes = json_array();

	for (size_t k = 0; k < scopes_count; k++)
		json_array_append_new(scopes,
		    json_string(scopes_offered[k].name));
	response_json(res, 200, json_pack("{s:s, s:o, s:o, s:o, s:o, "
	    "s:[ss], s:[sss], s:b, s:[s], s:[sss], s:o}",
	    "issuer", iss,
	    "authorization_endpoint", endpoint(iss, "/oauth2/authorize"),
	    "token_endpoint", endpoint(iss, "/oauth2/token"),
	    "revocation_endpoint", endpoint(iss, "/oauth2/revoke"),
	    "introspection_endpoint", endpoint(iss, "/oauth2/introspect"),
	    "response_types_supported", "code", "token",
	    "grant_types_supported", "authorization_code", "refresh_token",
	    "implicit",
	    "authorization_response_iss_parameter_supported", 1,
	    "code_challenge_methods_supported", "S256",
	    "token_endpoint_auth_methods_supported", "client_secret_basic",
	    "client_secret_post", "none",
	    "scopes_supported", scopes));
	response_header(res, "Cache-Control", "public, max-age=3600");
}
