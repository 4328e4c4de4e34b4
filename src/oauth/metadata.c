/* GET /.well-known/oauth-authorization-server (RFC 8414; docs/REFERENCE.md
 * §3.1) and GET /.well-known/openid-configuration (OpenID Connect Discovery
 * 1.0; §14.4): one document, the second with the OpenID Provider's fields. */
#include "oauth/oauth.h"

#include "core/scopes.h"

static json_t *
endpoint(const char *issuer, const char *path)
{
	return json_sprintf("%s%s", issuer, path);
}

/* What both documents say. issuer is cfg->issuer byte for byte: relying
 * parties compare it with the id_token's iss as a plain string. */
static json_t *
metadata(const char *iss)
{
	const struct scope_table *t = scopes_now();
	json_t *scopes = json_array(), *doc;

	/* the built-in API's: a resource's are in its own metadata (§22.1),
	 * and this document is built once */
	for (size_t k = 0; k < t->nscopes; k++)
		if (t->scopes[k].bit & SCOPE_BUILTIN)
			json_array_append_new(scopes,
			    json_string(t->scopes[k].name));
	doc = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:o, s:b, s:[ss], s:[ssss], s:b, s:[s], s:[sss], s:o, s:[sss]}",
	    "issuer", iss,
	    "authorization_endpoint", endpoint(iss, "/oauth2/authorize"),
	    "token_endpoint", endpoint(iss, "/oauth2/token"),
	    "revocation_endpoint", endpoint(iss, "/oauth2/revoke"),
	    "introspection_endpoint", endpoint(iss, "/oauth2/introspect"),
	    "jwks_uri", endpoint(iss, "/oauth2/jwks"),
	    "userinfo_endpoint", endpoint(iss, "/oauth2/userinfo"),
	    "end_session_endpoint", endpoint(iss, "/oauth2/logout"),
	    "device_authorization_endpoint",
	    endpoint(iss, "/oauth2/device_authorization"),
	    /* RFC 9126 §5: PAR is required per app, not for all */
	    "pushed_authorization_request_endpoint",
	    endpoint(iss, "/oauth2/par"),
	    "require_pushed_authorization_requests", 0,
	    "response_types_supported", "code", "token",
	    "grant_types_supported", "authorization_code", "refresh_token",
	    "implicit", "urn:ietf:params:oauth:grant-type:device_code",
	    "authorization_response_iss_parameter_supported", 1,
	    "code_challenge_methods_supported", "S256",
	    "token_endpoint_auth_methods_supported", "client_secret_basic",
	    "client_secret_post", "none",
	    "scopes_supported", scopes,
	    /* RFC 9449 §5.1: the algorithms of DPoP proofs (core/dpop.h) */
	    "dpop_signing_alg_values_supported", "ES256", "EdDSA", "RS256");
	/* RFC 7591 with a personal access token, always; without one only
	 * under --open-registration */
	json_object_set_new(doc, "registration_endpoint",
	    endpoint(iss, "/oauth2/register"));
	return doc;
}

static void
answer(struct response *res, json_t *doc)
{
	response_json(res, 200, doc);
	response_header(res, "Cache-Control", "public, max-age=3600");
}

/* Both documents: the fields that depend on the settings. */
static json_t *
metadata_of(const struct keygate *kg)
{
	json_t *doc = metadata(kg->cfg->issuer);

	/* draft-ietf-oauth-client-id-metadata-document (§22.2) */
	if (!kg->cfg->no_cimd)
		json_object_set_new(doc,
		    "client_id_metadata_document_supported", json_true());
	return doc;
}

void
oauth_metadata(struct request *req, struct response *res)
{
	answer(res, metadata_of(req->kg));
}

void
oauth_openid_configuration(struct request *req, struct response *res)
{
	json_t *doc = metadata_of(req->kg);

	json_object_update_new(doc, json_pack("{s:[s], s:[sss], s:[sss], "
	    "s:[sssssssssss], s:[ss], s:b, s:b}",
	    "subject_types_supported", "public",
	    "id_token_signing_alg_values_supported", "RS256", "ES256",
	    "EdDSA",
	    "prompt_values_supported", "none", "login", "consent",
	    "claims_supported", "iss", "sub", "aud", "exp", "iat",
	    "auth_time", "nonce", "at_hash", "amr", "email",
	    "email_verified",
	    "response_modes_supported", "query", "fragment",
	    "claims_parameter_supported", 0,
	    "request_parameter_supported", 0));
	answer(res, doc);
}
