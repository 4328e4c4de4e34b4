#include "core/registration.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"
#include "core/accounts.h"
#include "core/throttle.h"
#include "core/uri.h"

struct named_bit {
	unsigned	 bit;
	const char	*name;
};

static const struct named_bit grant_names[] = {
	{ REG_GRANT_CODE, "authorization_code" },
	{ REG_GRANT_REFRESH, "refresh_token" },
	{ REG_GRANT_IMPLICIT, "implicit" },
	{ REG_GRANT_DEVICE, "urn:ietf:params:oauth:grant-type:device_code" },
};
static const struct named_bit response_names[] = {
	{ REG_RESPONSE_CODE, "code" },
	{ REG_RESPONSE_TOKEN, "token" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const char *
registration_grant_name(unsigned bit)
{
	for (size_t i = 0; i < NELEM(grant_names); i++)
		if (grant_names[i].bit == bit)
			return grant_names[i].name;
	return NULL;
}

const char *
registration_response_name(unsigned bit)
{
	for (size_t i = 0; i < NELEM(response_names); i++)
		if (response_names[i].bit == bit)
			return response_names[i].name;
	return NULL;
}

static int refuse(struct registration_error *e, const char *error,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
refuse(struct registration_error *e, const char *error, const char *fmt, ...)
{
	va_list ap;

	e->error = error;
	va_start(ap, fmt);
	vsnprintf(e->description, sizeof(e->description), fmt, ap);
	va_end(ap);
	return ERR_INVALID;
}

#define METADATA	"invalid_client_metadata"
#define REDIRECT	"invalid_redirect_uri"

/* The values of a list member as bits of `names`; 0 with e filled when
 * one is unknown or there are too many. */
static int
bits_of(const struct str *v, size_t n, const char *member,
    const struct named_bit *t, size_t nnames, unsigned *out,
    struct registration_error *e)
{
	*out = 0;
	if (n > REGISTRATION_MAX_VALUES)
		return refuse(e, METADATA, "%s: at most %d values.", member,
		    REGISTRATION_MAX_VALUES);
	for (size_t i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < nnames; k++)
			if (str_eq(v[i], str_from(t[k].name)))
				break;
		if (k == nnames)
			return refuse(e, METADATA, "%s: \"%.*s\" is not "
			    "supported.", member,
			    (int)(v[i].len > 64 ? 64 : v[i].len), v[i].p);
		*out |= t[k].bit;
	}
	return 0;
}

/* grant_types and response_types, defaulted and checked against each
 * other (RFC 7591 §2.1: code goes with authorization_code, token with
 * implicit). */
static int
flows(const struct registration *r, struct registration_result *out,
    struct registration_error *e)
{
	unsigned g = REG_GRANT_CODE | REG_GRANT_REFRESH, rt;

	if (r->has_grants && bits_of(r->grants, r->n_grants, "grant_types",
	    grant_names, NELEM(grant_names), &g, e) != 0)
		return ERR_INVALID;
	rt = (g & REG_GRANT_CODE ? REG_RESPONSE_CODE : 0) |
	    (g & REG_GRANT_IMPLICIT ? REG_RESPONSE_TOKEN : 0);
	if (r->has_responses && bits_of(r->responses, r->n_responses,
	    "response_types", response_names, NELEM(response_names), &rt,
	    e) != 0)
		return ERR_INVALID;
	if (!(g & (REG_GRANT_CODE | REG_GRANT_IMPLICIT | REG_GRANT_DEVICE)))
		return refuse(e, METADATA, "grant_types: name "
		    "authorization_code, implicit or the device code grant.");
	if (!(g & REG_GRANT_CODE) != !(rt & REG_RESPONSE_CODE) ||
	    !(g & REG_GRANT_IMPLICIT) != !(rt & REG_RESPONSE_TOKEN))
		return refuse(e, METADATA, "response_types and grant_types "
		    "disagree: the response type code goes with "
		    "authorization_code, token with implicit.");
	out->grants = g;
	out->responses = rt;
	return 0;
}

/* token_endpoint_auth_method: what keygate's token endpoint takes. */
static int
auth_method(const struct registration *r, bool open,
    struct registration_result *out, struct registration_error *e)
{
	static const char *const methods[] = { "client_secret_basic",
	    "client_secret_post", "none" };

	/* RFC 7591 §2's default; an open registration is public only, so
	 * it registers none when the client names nothing. */
	out->auth = open ? "none" : "client_secret_basic";
	if (!r->has_auth)
		return 0;
	for (size_t i = 0; i < NELEM(methods); i++)
		if (str_eq(r->auth, str_from(methods[i])))
			out->auth = methods[i];
	if (!str_eq(r->auth, str_from(out->auth)))
		return refuse(e, METADATA, "token_endpoint_auth_method: use "
		    "client_secret_basic, client_secret_post or none.");
	if (open && strcmp(out->auth, "none") != 0)
		return refuse(e, METADATA, "Registering without a token "
		    "makes public clients only: token_endpoint_auth_method "
		    "must be none.");
	return 0;
}

/* An open registration's redirect URIs: loopback http or a private-use
 * scheme (RFC 8252 §7), never https, which would let anyone pose as a
 * web site's client. */
static int
open_redirects(const struct registration *r, struct registration_error *e)
{
	size_t n = r->f.n_redirect_uris;

	for (size_t i = 0; i < n && i < APP_MAX_REDIRECT_URIS; i++) {
		struct uri u;

		if (uri_parse(r->f.redirect_uris[i], &u) != 0)
			continue;	/* the app rules say why */
		if (u.scheme.len == 5 && strncasecmp(u.scheme.p, "https",
		    5) == 0)
			return refuse(e, REDIRECT, "Registering without a "
			    "token takes only loopback (http://127.0.0.1, "
			    "http://[::1], http://localhost) or private-use "
			    "scheme redirect URIs.");
	}
	return 0;
}

/* Checks r's metadata beyond the app's own rules and fills out's. */
static int
check(struct registration *r, bool open,
    struct registration_result *out, struct registration_error *e)
{
	unsigned mask;

	if (auth_method(r, open, out, e) != 0 || flows(r, out, e) != 0)
		return ERR_INVALID;
	if (out->grants & (REG_GRANT_CODE | REG_GRANT_IMPLICIT) &&
	    !r->f.has_redirect_uris)
		return refuse(e, REDIRECT, "redirect_uris: required for the "
		    "authorization code and implicit flows.");
	/* a device client's empty list is no list */
	if (!(out->grants & (REG_GRANT_CODE | REG_GRANT_IMPLICIT)) &&
	    r->f.n_redirect_uris == 0)
		r->f.has_redirect_uris = false;
	if (open && out->grants & REG_GRANT_IMPLICIT)
		return refuse(e, METADATA, "Registering without a token takes "
		    "the code flow (with PKCE) and the device flow, not the "
		    "implicit one.");
	if (open && open_redirects(r, e) != 0)
		return ERR_INVALID;
	if (r->has_scope) {
		if (scopes_parse(r->scope, &mask) != 0 || mask == 0)
			return refuse(e, METADATA, "scope: name scopes this "
			    "server offers, separated by single spaces.");
		out->has_scope = true;
		scopes_format(mask, out->scope);
	}
	if (!r->f.has_name) {
		r->f.has_name = true;
		r->f.name = str_from("Unnamed client");
	}
	r->f.has_implicit_flow = (out->grants & REG_GRANT_IMPLICIT) != 0;
	r->f.implicit_flow = r->f.has_implicit_flow;
	r->f.has_device_flow = (out->grants & REG_GRANT_DEVICE) != 0;
	r->f.device_flow = r->f.has_device_flow;
	return 0;
}

/* The app rules' refusal as RFC 7591 names the members. */
static int
app_refusal(const struct app_errors *a, struct registration_error *e)
{
	if (a->redirect_uris != NULL)
		return refuse(e, REDIRECT, "redirect_uris: %s",
		    a->redirect_uris);
	if (a->post_logout_redirect_uris != NULL)
		return refuse(e, REDIRECT, "post_logout_redirect_uris: %s",
		    a->post_logout_redirect_uris);
	if (a->name != NULL)
		return refuse(e, METADATA, "client_name: %s", a->name);
	if (a->public_name != NULL)
		return refuse(e, METADATA, "client_name: %s", a->public_name);
	if (a->logo_url != NULL)
		return refuse(e, METADATA, "logo_uri: %s", a->logo_url);
	if (a->id_token_alg != NULL)
		return refuse(e, METADATA, "id_token_signed_response_alg: %s",
		    a->id_token_alg);
	return refuse(e, METADATA, "The metadata is not valid.");
}

/* The open registrations' owner, made at the first one (and again should
 * an operator delete it): an account no one can log in to. */
static int
open_owner(struct keygate *kg, int64_t *id)
{
	struct account a;
	int rc;

	rc = store_account_by_email(kg->store, ACCOUNT_OPEN_REGISTRATION_EMAIL,
	    &a);
	if (rc == ERR_NOTFOUND) {
		/* "!" is no argon2id hash: no password verifies against it */
		rc = store_account_insert(kg->store,
		    ACCOUNT_OPEN_REGISTRATION_EMAIL, "!",
		    clock_now(kg->clock), id, NULL);
		if (rc == 0 || rc == ERR_EXISTS)	/* or another node's */
			rc = store_account_by_email(kg->store,
			    ACCOUNT_OPEN_REGISTRATION_EMAIL, &a);
	}
	if (rc != 0)
		return rc;
	if (a.disabled_at != 0)
		return ERR_FORBIDDEN;
	/* verified, so that --require-verified-email lets its apps be */
	if (!a.email_verified && (rc = store_account_verify(kg->store, a.id,
	    ACCOUNT_OPEN_REGISTRATION_EMAIL)) != 0)
		return rc;
	*id = a.id;
	return 0;
}

/* Counts an open registration from addr, made or refused, as sign-ups
 * are counted. */
static int
open_throttle(struct keygate *kg, const char *addr, int64_t *retry_after_s)
{
	char key[96], unit[THROTTLE_ADDR_BYTES];
	struct throttle_ticket tk;

	if (kg->cfg->signup_rate <= 0)
		return 0;
	throttle_addr(addr, unit);
	snprintf(key, sizeof(key), "register-addr:%s", unit);
	return throttle_take(kg->throttle, str_from(key),
	    kg->cfg->signup_rate, THROTTLE_SIGNUP_WINDOW_S,
	    clock_now(kg->clock), retry_after_s, &tk);
}

int
registration_create(struct keygate *kg, int64_t account_id,
    const char *addr, struct registration *r,
    struct registration_result *out, struct registration_error *e,
    int64_t *retry_after_s)
{
	bool open = account_id == REGISTRATION_OPEN;
	struct app_errors errs;
	char why[160];
	int64_t max = kg->cfg->max_apps;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(e, 0, sizeof(*e));
	if (open && (rc = open_throttle(kg, addr, retry_after_s)) != 0)
		return rc;
	if ((rc = check(r, open, out, e)) != 0)
		return rc;
	if (open) {
		if ((rc = open_owner(kg, &account_id)) != 0)
			return rc;
		max = OPEN_REGISTRATION_MAX_APPS;
	}
	rc = apps_register(kg, account_id, addr, &r->f, max,
	    strcmp(out->auth, "none") != 0 ? out->secret : NULL, &out->app,
	    &errs);
	if (rc == ERR_INVALID)
		return app_refusal(&errs, e);
	if (rc == ERR_TOOBIG)
		return refuse(e, METADATA, "%s", open ? "The server holds "
		    "as many openly registered clients as it may." :
		    apps_too_many(kg, why, sizeof(why)));
	return rc;
}
