#include "core/authz.h"


#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/apps.h"
#include "core/cimd_client.h"
#include "base/buf.h"
#include "base/clock.h"
#include "core/csrf.h"
#include "core/dpop.h"
#include "core/events.h"
#include "base/err.h"
#include "base/metrics.h"
#include "core/pkce.h"
#include "core/resources.h"
#include "core/scopes.h"
#include "core/tokens.h"
#include "core/uri.h"
#include "core/usage.h"
#include "core/verification.h"
#include "base/utf8.h"

int
authz_client(struct keygate *kg, const struct authz_params *p,
    struct app_row *app, const char **why)
{
	int rc;

	if (p->client_id.len == 0) {
		*why = "The request names no client (client_id).";
		return ERR_NOTFOUND;
	}
	/* a document's URL: its app written from the document first */
	if ((rc = cimd_client_ready(kg, p->client_id, why)) != 0) {
		if (rc == ERR_NOTFOUND)
			*why = "No application has this client_id.";
		return rc == ERR_STORE ? rc : ERR_NOTFOUND;
	}
	rc = apps_get(kg, STORE_ANY_ACCOUNT, p->client_id, app);
	if (rc == ERR_NOTFOUND && cimd_client_restore(kg, p->client_id) == 0)
		rc = apps_get(kg, STORE_ANY_ACCOUNT, p->client_id, app);
	if (rc == ERR_NOTFOUND)
		*why = "No application has this client_id.";
	if (rc != 0)
		return rc;
	/* its owner is disabled: no code or token for its client to use */
	if (app->owner_disabled) {
		*why = "This application is disabled.";
		return ERR_NOTFOUND;
	}
	if (p->redirect_uri.len == 0) {
		*why = "The request names no redirect_uri.";
		return ERR_NOTFOUND;
	}
	if (!authz_redirect_registered(app, p->redirect_uri)) {
		*why = "This redirect_uri is not registered for the "
		    "application.";
		return ERR_NOTFOUND;
	}
	return 0;
}

/* RFC 8252 §7.3: a loopback IP redirect may use any port. Same scheme,
 * host, path and query; the port alone may differ. */
static bool
same_but_port(struct str registered, struct str requested)
{
	struct uri a, b;

	if (uri_parse(registered, &a) != 0 || uri_parse(requested, &b) != 0)
		return false;
	return str_eq_lit(a.scheme, "http") && str_eq_lit(b.scheme, "http") &&
	    uri_host_is_loopback_ip(a.host) && str_eq(a.host, b.host) &&
	    !a.has_userinfo && !b.has_userinfo &&
	    str_eq(a.path, b.path) && a.has_query == b.has_query &&
	    str_eq(a.query, b.query) && !b.has_fragment;
}

bool
authz_redirect_registered(const struct app_row *app, struct str uri)
{
	struct str reg[APP_MAX_REDIRECT_URIS];
	size_t n = apps_redirect_uris(app, reg, APP_MAX_REDIRECT_URIS);

	if (n > APP_MAX_REDIRECT_URIS)
		n = APP_MAX_REDIRECT_URIS;
	for (size_t i = 0; i < n; i++)
		if (str_eq(reg[i], uri) || same_but_port(reg[i], uri))
			return true;
	return false;
}

static int
fail(struct authz_error *err, const char *error, const char *description)
{
	err->error = error;
	err->description = description;
	return ERR_INVALID;
}

/* PKCE (RFC 7636 §4.3, S256 only; RFC 9700 §2.1.1 for public clients). */
static int
check_pkce(const struct authz_params *p, const struct app_row *app,
    struct authz_request *out, struct authz_error *err)
{
	bool has_c = p->code_challenge.len > 0;
	bool has_m = p->code_challenge_method.len > 0;

	if (out->flow == AUTHZ_TOKEN)
		return 0;
	if (has_m && !str_eq_lit(p->code_challenge_method, "S256"))
		return fail(err, "invalid_request", "Only the S256 "
		    "code_challenge_method is supported.");
	if (has_m && !has_c)
		return fail(err, "invalid_request", "code_challenge_method "
		    "needs a code_challenge.");
	if (has_c && !has_m)
		return fail(err, "invalid_request", "Send "
		    "code_challenge_method=S256 with the code_challenge "
		    "(plain is not supported).");
	if (has_c && !pkce_challenge_valid(p->code_challenge))
		return fail(err, "invalid_request", "The code_challenge must "
		    "be 43 base64url characters.");
	if (!has_c && !app->has_secret)
		return fail(err, "invalid_request", "A public client must send "
		    "a PKCE code_challenge.");
	out->code_challenge = p->code_challenge;
	return 0;
}

/* A nonce goes into the id_token as it came: printable UTF-8 only, so
 * that no client's JSON or log meets a control character from it. */
static bool
nonce_ok(struct str s)
{
	if (s.len > OIDC_NONCE_MAX_BYTES || !utf8_valid(s))
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c < 0x20 || c == 0x7f)
			return false;
		/* C1 controls, U+0080..U+009F */
		if (c == 0xc2 && i + 1 < s.len &&
		    (unsigned char)s.p[i + 1] < 0xa0)
			return false;
	}
	return true;
}

/* `prompt`: space-separated, each value once; select_account is refused
 * with the unknown ones (one account per browser session, nothing to
 * select). 0, or ERR_INVALID. */
static int
parse_prompt(struct str s, unsigned *out)
{
	static const char *const names[] = { "none", "login", "consent" };
	size_t i = 0;

	*out = 0;
	while (i < s.len) {
		size_t start = i, k;

		while (i < s.len && s.p[i] != ' ')
			i++;
		for (k = 0; k < 3; k++)
			if (str_eq_lit((struct str){ s.p + start, i - start },
			    names[k]))
				break;
		if (k == 3 || (*out & (1u << k)) != 0)
			return ERR_INVALID;
		*out |= 1u << k;
		if (i < s.len && ++i == s.len)
			return ERR_INVALID;	/* trailing space */
	}
	return 0;
}

/* RFC 9449 §10: dpop_jkt binds the code it asks for to one DPoP key. */
static int
check_dpop_jkt(const struct authz_params *p, struct authz_request *out,
    struct authz_error *err)
{
	if (p->dpop_jkt.p == NULL)
		return 0;
	if (out->flow != AUTHZ_CODE)
		return fail(err, "invalid_request", "dpop_jkt binds an "
		    "authorization code: use response_type=code.");
	if (!dpop_jkt_parse(p->dpop_jkt, out->code_jkt))
		return fail(err, "invalid_request", "dpop_jkt must be a JWK "
		    "SHA-256 thumbprint (RFC 7638) in base64url, 43 "
		    "characters.");
	out->code_bound = true;
	return 0;
}

int
authz_bind_key(struct authz_request *r,
    const unsigned char jkt[SECURE_HASH_BYTES], struct authz_error *err)
{
	if (r->flow != AUTHZ_CODE)
		return 0;
	if (r->code_bound && sodium_memcmp(r->code_jkt, jkt,
	    sizeof(r->code_jkt)) != 0)
		return fail(err, "invalid_dpop_proof", "dpop_jkt names another "
		    "key than the DPoP proof's.");
	r->code_bound = true;
	memcpy(r->code_jkt, jkt, sizeof(r->code_jkt));
	return 0;
}

/* OpenID Connect Core §3.1.2.1's parameters. */
static int
check_oidc(const struct authz_params *p, struct authz_request *out,
    struct authz_error *err)
{
	long long max_age = -1;

	out->nonce = p->nonce;
	out->login_hint = p->login_hint;
	out->max_age = -1;
	if (!nonce_ok(p->nonce))
		return fail(err, "invalid_request", "The nonce must be at most "
		    "255 bytes of UTF-8 without control characters.");
	if (parse_prompt(p->prompt, &out->prompt) != 0)
		return fail(err, "invalid_request", "prompt takes none, login "
		    "or consent, each at most once, separated by spaces.");
	if ((out->prompt & AUTHZ_PROMPT_NONE) != 0 &&
	    out->prompt != AUTHZ_PROMPT_NONE)
		return fail(err, "invalid_request", "prompt=none cannot be "
		    "combined with another value.");
	/* The client flow asks the password every time and spends its
	 * proof of it on a consent not yet given (oauth/authorize.c): a
	 * remembered consent is not asked again there. */
	if (out->flow == AUTHZ_TOKEN)
		out->prompt &= ~(unsigned)AUTHZ_PROMPT_CONSENT;
	if (p->max_age.p != NULL && str_to_i64(p->max_age, 0, INT64_MAX,
	    &max_age) != 0)
		return fail(err, "invalid_request", "max_age must be a "
		    "non-negative whole number of seconds.");
	out->max_age = max_age;
	return 0;
}

/* RFC 8707: the resources asked for become the mask's audience bits. */
static int
check_resources(const struct authz_params *p, struct authz_request *out,
    struct authz_error *err)
{
	const char *why = NULL;
	int rc = resources_request(p->resource, &out->scope, &why);

	if (rc != 0)
		return fail(err, rc == ERR_TARGET ? "invalid_target" :
		    "invalid_scope", why);
	return 0;
}

int
authz_check(struct keygate *kg, const struct authz_params *p,
    const struct app_row *app, struct authz_request *out,
    struct authz_error *err)
{
	(void)kg;
	memset(out, 0, sizeof(*out));
	out->redirect_uri = p->redirect_uri;
	out->state = p->state;
	if (p->state.len > OAUTH_STATE_MAX_BYTES)
		return fail(err, "invalid_request", "The state is too long.");
	if (str_eq_lit(p->response_type, "code"))
		out->flow = AUTHZ_CODE;
	else if (str_eq_lit(p->response_type, "token"))
		out->flow = AUTHZ_TOKEN;
	else if (p->response_type.len == 0)
		return fail(err, "invalid_request", "response_type is "
		    "missing.");
	else
		return fail(err, "unsupported_response_type", "Use "
		    "response_type=code or token.");
	if (app->require_par && !p->pushed)
		return fail(err, "invalid_request", "This application sends "
		    "its requests through /oauth2/par first (RFC 9126): pass "
		    "its request_uri.");
	if (out->flow == AUTHZ_TOKEN && !app->implicit_flow)
		return fail(err, "unauthorized_client", "This application has "
		    "not enabled the client flow.");
	/* the client flow's token comes without a proof: never bound */
	if (out->flow == AUTHZ_TOKEN && app->dpop_bound)
		return fail(err, "unauthorized_client", "This application "
		    "requires DPoP-bound tokens, which only the token "
		    "endpoint issues: use response_type=code.");
	if (app->public_name[0] == '\0')
		return fail(err, "unauthorized_client", "This application has "
		    "no public name yet.");
	if (scopes_parse(p->scope, &out->scope) != 0)
		return fail(err, "invalid_scope", "A requested scope is "
		    "unknown or repeated.");
	if (check_resources(p, out, err) != 0)
		return ERR_INVALID;
	if (check_pkce(p, app, out, err) != 0 ||
	    check_dpop_jkt(p, out, err) != 0)
		return ERR_INVALID;
	return check_oidc(p, out, err);
}

bool
authz_fresh_login_needed(struct keygate *kg, const struct authz_request *r,
    int64_t auth_time)
{
	return (r->prompt & AUTHZ_PROMPT_LOGIN) != 0 || (r->max_age >= 0 &&
	    clock_now(kg->clock) - auth_time > r->max_age);
}

int
authz_consented(struct keygate *kg, int64_t account_id,
    const struct app_row *app, unsigned scope, bool *yes)
{
	int64_t grant_id;
	unsigned have;
	int rc = store_grant_get(kg->store, account_id, app->id, &grant_id,
	    &have);

	/* scopes as bits; resources as audiences, so that a consent kept
	 * before resources existed (no audience bit: the built-in API's)
	 * still covers the built-in API, and one to a resource alone does
	 * not (docs/REFERENCE.md §22.1) */
	*yes = rc == 0 && (scope & ~have & ~SCOPE_AUD_BUILTIN) == 0 &&
	    (scopes_audience(scope) & ~scopes_audience(have)) == 0;
	return rc == ERR_NOTFOUND ? 0 : rc;
}

/* What a login proof is bound to. The tag keeps it apart from every other
 * use of the key; the redirect URI comes last, before a number, so the
 * parts cannot be shifted into one another. */
static void
tagged_context(const char *tag, const char *csrf, const struct app_row *app,
    const struct authz_request *r, struct buf *ctx)
{
	buf_init(ctx, CSRF_TOKEN_BYTES + APP_API_KEY_MAX_BYTES +
	    APP_URI_MAX_BYTES + 64);
	buf_printf(ctx, "%s|%s|%s|", tag, csrf, app->api_key);
	buf_putstr(ctx, r->redirect_uri);
	buf_printf(ctx, "|%u", r->scope);
}

static void
proof_context(const char *csrf, const struct app_row *app,
    const struct authz_request *r, struct buf *ctx)
{
	tagged_context("authorize-login", csrf, app, r, ctx);
}

void
authz_step_context(const char *csrf, const struct app_row *app,
    const struct authz_request *r, struct buf *ctx)
{
	tagged_context("authorize-password", csrf, app, r, ctx);
}

int
authz_login_proof(struct keygate *kg, const char *csrf,
    const struct app_row *app, const struct authz_request *r,
    int64_t account_id, char out[SEALED_MAX_BYTES])
{
	char plain[48];
	struct buf ctx;
	int rc;

	snprintf(plain, sizeof(plain), "%lld %lld", (long long)account_id,
	    (long long)(clock_now(kg->clock) + OAUTH_LOGIN_PROOF_TTL_S));
	proof_context(csrf, app, r, &ctx);
	rc = ctx.err != 0 ? ctx.err : sealed_seal(kg->reveal_key,
	    str_from(plain), buf_str(&ctx), out);
	buf_release(&ctx);
	return rc;
}

int
authz_login_proof_open(struct keygate *kg, const char *csrf,
    const struct app_row *app, const struct authz_request *r,
    struct str proof, int64_t *account_id)
{
	char plain[48], *sp;
	long long id, until;
	struct buf ctx;
	int rc;

	proof_context(csrf, app, r, &ctx);
	rc = ctx.err != 0 ? ERR_AUTH : sealed_open(kg->reveal_key, proof,
	    buf_str(&ctx), plain, sizeof(plain));
	buf_release(&ctx);
	if (rc != 0 || (sp = strchr(plain, ' ')) == NULL)
		return ERR_AUTH;
	if (str_to_i64((struct str){ plain, (size_t)(sp - plain) }, 1,
	    INT64_MAX, &id) != 0 || str_to_i64(str_from(sp + 1), 0,
	    INT64_MAX, &until) != 0 || clock_now(kg->clock) >= until)
		return ERR_AUTH;
	*account_id = id;
	return 0;
}

/* grant_given, should the consent be new or wider (the store judges) */
static void
given(struct keygate *kg, int64_t account_id, const char *addr,
    const struct app_row *app, unsigned scope, const char *flow,
    struct event_new *ev)
{
	char text[SCOPES_TEXT_MAX];

	event_make(ev, kg, EVENT_GRANT_GIVEN, account_id, addr);
	event_app(ev, app->id, app->api_key);
	scopes_format(scope, text);
	event_detail_str(ev, "scope", text);
	event_detail_str(ev, "flow", flow);
}

int
authz_issue_code(struct keygate *kg, int64_t account_id, const char *addr,
    const struct app_row *app, const struct authz_request *r,
    char code[TOKEN_MAX_BYTES + 1])
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct code_row row;
	struct event_new ev;
	int64_t now = clock_now(kg->clock);
	int rc;

	if ((rc = verification_required(kg, account_id)) != 0)
		return rc;
	memset(&row, 0, sizeof(row));
	if (r->redirect_uri.len >= sizeof(row.redirect_uri) ||
	    r->code_challenge.len >= sizeof(row.challenge))
		return ERR_INVALID;
	memcpy(row.redirect_uri, r->redirect_uri.p, r->redirect_uri.len);
	if (r->code_challenge.len > 0)
		memcpy(row.challenge, r->code_challenge.p,
		    r->code_challenge.len);
	/* The consent and the code are written together: a failure leaves
	 * no grant the user was not told about. */
	row.account_id = account_id;
	row.app_id = app->id;
	row.issued_at = now;
	row.scope = r->scope;
	row.expires_at = now + OAUTH_CODE_TTL_S;
	if (r->nonce.len >= sizeof(row.nonce))
		return ERR_INVALID;
	if (r->nonce.len > 0)
		memcpy(row.nonce, r->nonce.p, r->nonce.len);
	row.auth_time = r->auth_time;
	row.amr = r->amr;
	row.bound = r->code_bound;
	memcpy(row.jkt, r->code_jkt, sizeof(row.jkt));
	secure_token(TOKENS_CODE_PREFIX, code);
	secure_hash(str_from(code), hash);
	given(kg, account_id, addr, app, r->scope, "code", &ev);
	return store_code_insert(kg->store, hash, &row, &ev);
}

int
authz_issue_token(struct keygate *kg, int64_t account_id, const char *addr,
    const struct app_row *app, const struct authz_request *r,
    char token[TOKEN_MAX_BYTES + 1])
{
	struct event_new ev;
	struct issue is;
	int rc;

	if ((rc = verification_required(kg, account_id)) != 0)
		return rc;
	memset(&is, 0, sizeof(is));
	is.now = clock_now(kg->clock);
	is.account_id = account_id;	/* grant_id 0: consent recorded too */
	is.app_id = app->id;
	is.scope = is.family_scope = r->scope;
	secure_token_sorted(TOKENS_ACCESS_PREFIX, token, is.access_hash);
	given(kg, account_id, addr, app, r->scope, "implicit", &ev);
	is.given = &ev;
	rc = store_issue(kg->store, &is);
	if (rc == 0) {
		metrics_inc(METRIC_TOKENS_ISSUED);
		usage_count(kg, app->id, USAGE_ISSUED, is.now);
	}
	return rc;
}
