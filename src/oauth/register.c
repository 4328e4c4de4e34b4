/* POST /oauth2/register: dynamic client registration (RFC 7591;
 * docs/REFERENCE.md §22.3). The initial access token is a personal access
 * token (core/pats.h), or none under --open-registration; the metadata is
 * read here for its JSON types and checked by core/registration.c. */
#include "oauth/oauth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "core/pats.h"
#include "core/registration.h"
#include "http/basic.h"

/* Far above any client's metadata, far below the server's body cap. */
#define REGISTER_BODY_MAX	16384

static void
metadata_error(struct response *res, const char *description)
{
	oauth_error(res, 400, "invalid_client_metadata", description);
}

/* RFC 6750 §3: a challenge, with an error code only when a token was
 * sent. */
static void
token_error(struct response *res, bool sent, const char *description)
{
	response_json_error(res, 401, "invalid_token", description);
	oauth_no_store(res);
	response_header(res, "WWW-Authenticate", sent ?
	    "Bearer realm=\"keygate\", error=\"invalid_token\"" :
	    "Bearer realm=\"keygate\"");
}

static void
throttled(struct response *res, int64_t wait)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)wait);
	oauth_error(res, 429, "too_many_requests", "Too many registrations "
	    "or failed tokens from this address; wait before trying again.");
	response_header(res, "Retry-After", num);
}

/* Who registers: *account_id, or REGISTRATION_OPEN without a token under
 * --open-registration. Answers and returns false when no one may. */
static bool
who(struct request *req, struct response *res, int64_t *account_id)
{
	struct str header = request_header(req, "Authorization"), token;
	int64_t wait = 0;
	int rc;

	if (header.p == NULL) {
		*account_id = REGISTRATION_OPEN;
		if (req->kg->cfg->open_registration)
			return true;
		token_error(res, false, "Send a personal access token as "
		    "Authorization: Bearer.");
		return false;
	}
	rc = bearer_parse(header, &token);
	rc = rc != 0 ? ERR_AUTH : pats_authenticate(req->kg,
	    req->client_addr, token, account_id, &wait);
	if (rc == 0)
		return true;
	if (rc == ERR_AUTH)
		token_error(res, true, "The personal access token is unknown "
		    "or revoked.");
	else if (rc == ERR_THROTTLED)
		throttled(res, wait);
	else
		oauth_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached; try again soon.");
	return false;
}

/* Member `name` as a string into *out (*has set when present); false
 * with the answer given when it is of another type. */
static bool
take_string(struct response *res, json_t *obj, const char *name,
    struct str *out, bool *has)
{
	json_t *v = json_object_get(obj, name);
	char why[96];

	if (v == NULL)
		return true;
	if (!json_is_string(v)) {
		snprintf(why, sizeof(why), "%s must be a string.", name);
		metadata_error(res, why);
		return false;
	}
	*has = true;
	*out = (struct str){ json_string_value(v), json_string_length(v) };
	return true;
}

/* Member `name` as an array of strings into v (up to max, *n counting
 * all); false with the answer given when it is not one. */
static bool
take_list(struct response *res, json_t *obj, const char *name,
    struct str *v, size_t max, size_t *n, bool *has)
{
	json_t *a = json_object_get(obj, name), *s;
	char why[96];
	size_t i;

	if (a == NULL)
		return true;
	snprintf(why, sizeof(why), "%s must be an array of strings.", name);
	if (!json_is_array(a)) {
		metadata_error(res, why);
		return false;
	}
	json_array_foreach(a, i, s) {
		if (!json_is_string(s)) {
			metadata_error(res, why);
			return false;
		}
		if (i < max)
			v[i] = (struct str){ json_string_value(s),
			    json_string_length(s) };
	}
	*has = true;
	*n = json_array_size(a);
	return true;
}

/* Member `name` as a boolean; false with the answer given else. */
static bool
take_bool(struct response *res, json_t *obj, const char *name, bool *v,
    bool *has)
{
	json_t *b = json_object_get(obj, name);
	char why[96];

	if (b == NULL)
		return true;
	if (!json_is_boolean(b)) {
		snprintf(why, sizeof(why), "%s must be true or false.", name);
		metadata_error(res, why);
		return false;
	}
	*has = true;
	*v = json_is_true(b);
	return true;
}

/* The members keygate registers; any other is ignored (RFC 7591 §2). */
static bool
read_metadata(struct response *res, json_t *o, struct registration *r)
{
	struct app_fields *f = &r->f;

	memset(r, 0, sizeof(*r));
	if (!take_string(res, o, "client_name", &f->name, &f->has_name) ||
	    !take_string(res, o, "logo_uri", &f->logo_url, &f->has_logo_url) ||
	    !take_list(res, o, "redirect_uris", f->redirect_uris,
	    APP_MAX_REDIRECT_URIS, &f->n_redirect_uris,
	    &f->has_redirect_uris) ||
	    !take_list(res, o, "post_logout_redirect_uris",
	    f->post_logout_redirect_uris, APP_MAX_REDIRECT_URIS,
	    &f->n_post_logout_redirect_uris,
	    &f->has_post_logout_redirect_uris) ||
	    !take_string(res, o, "id_token_signed_response_alg",
	    &f->id_token_alg, &f->has_id_token_alg) ||
	    !take_bool(res, o, "dpop_bound_access_tokens", &f->dpop_bound,
	    &f->has_dpop_bound) ||
	    !take_bool(res, o, "require_pushed_authorization_requests",
	    &f->require_par, &f->has_require_par) ||
	    !take_string(res, o, "token_endpoint_auth_method", &r->auth,
	    &r->has_auth) ||
	    !take_list(res, o, "grant_types", r->grants,
	    REGISTRATION_MAX_VALUES, &r->n_grants, &r->has_grants) ||
	    !take_list(res, o, "response_types", r->responses,
	    REGISTRATION_MAX_VALUES, &r->n_responses, &r->has_responses) ||
	    !take_string(res, o, "scope", &r->scope, &r->has_scope))
		return false;
	/* the name is also the public name, under the brand rule */
	f->has_public_name = f->has_name;
	f->public_name = f->name;
	return true;
}

static json_t *
names(unsigned bits, const char *(*name)(unsigned))
{
	json_t *a = json_array();

	for (unsigned b = 1; b != 0 && b <= bits; b <<= 1)
		if (bits & b)
			json_array_append_new(a, json_string(name(b)));
	return a;
}

static json_t *
uri_list(const struct app_row *app, bool post_logout)
{
	struct str uris[APP_MAX_REDIRECT_URIS];
	size_t n = post_logout ?
	    apps_post_logout_uris(app, uris, APP_MAX_REDIRECT_URIS) :
	    apps_redirect_uris(app, uris, APP_MAX_REDIRECT_URIS);
	json_t *a = json_array();

	for (size_t i = 0; i < n && i < APP_MAX_REDIRECT_URIS; i++)
		json_array_append_new(a, json_stringn(uris[i].p, uris[i].len));
	return a;
}

/* RFC 7591 §3.2.1: the client's identifier and secret, and the metadata
 * as registered. */
static json_t *
registered(const struct registration *r, const struct registration_result *x)
{
	const struct app_row *app = &x->app;
	json_t *o = json_pack("{s:s, s:I, s:s, s:o, s:o, s:o, s:s}",
	    "client_id", app->api_key,
	    "client_id_issued_at", (json_int_t)app->created_at,
	    "client_name", app->name,
	    "redirect_uris", uri_list(app, false),
	    "grant_types", names(x->grants, registration_grant_name),
	    "response_types", names(x->responses, registration_response_name),
	    "token_endpoint_auth_method", x->auth);

	if (x->secret[0] != '\0') {
		json_object_set_new(o, "client_secret", json_string(x->secret));
		json_object_set_new(o, "client_secret_expires_at",
		    json_integer(0));
	}
	if (app->logo_url[0] != '\0')
		json_object_set_new(o, "logo_uri", json_string(app->logo_url));
	if (x->has_scope)
		json_object_set_new(o, "scope", json_string(x->scope));
	if (r->f.has_post_logout_redirect_uris)
		json_object_set_new(o, "post_logout_redirect_uris",
		    uri_list(app, true));
	json_object_set_new(o, "id_token_signed_response_alg",
	    json_string(app->id_token_alg));
	json_object_set_new(o, "dpop_bound_access_tokens",
	    json_boolean(app->dpop_bound));
	json_object_set_new(o, "require_pushed_authorization_requests",
	    json_boolean(app->require_par));
	return o;
}

static void
answer(struct response *res, int rc, const struct registration *r,
    const struct registration_result *x, const struct registration_error *e,
    int64_t wait)
{
	if (rc == 0) {
		response_json(res, 201, registered(r, x));
		oauth_no_store(res);
	} else if (rc == ERR_INVALID) {
		oauth_error(res, 400, e->error, e->description);
	} else if (rc == ERR_THROTTLED) {
		throttled(res, wait);
	} else if (rc == ERR_FORBIDDEN) {
		oauth_error(res, 403, "access_denied", "The account's email "
		    "address must be verified first, or the operator has "
		    "closed open registration.");
	} else {
		oauth_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached; try again soon.");
	}
}

void
oauth_register(struct request *req, struct response *res)
{
	struct registration_result *x;
	struct registration_error e;
	struct registration r;
	int64_t account_id, wait = 0;
	json_t *body = NULL;
	int rc;

	if (!who(req, res, &account_id))
		return;
	if (req->body.len > REGISTER_BODY_MAX) {
		metadata_error(res, "The metadata is too large.");
		return;
	}
	if (request_json(req, &body) != 0) {
		metadata_error(res, "Send the metadata as a JSON object "
		    "(UTF-8, no repeated member) with Content-Type: "
		    "application/json.");
		return;
	}
	if (!read_metadata(res, body, &r)) {
		json_decref(body);
		return;
	}
	x = xmalloc(sizeof(*x));
	rc = registration_create(req->kg, account_id, req->client_addr, &r, x,
	    &e, &wait);
	answer(res, rc, &r, x, &e, wait);
	sodium_memzero(x->secret, sizeof(x->secret));
	free(x);
	json_decref(body);
}
