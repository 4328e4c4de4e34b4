/* POST /oauth2/token (RFC 6749 §4.1.3, §6; docs/REFERENCE.md §3.3). */
#include "oauth/oauth.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "core/device_grant.h"
#include "core/dpop.h"
#include "core/idtoken.h"
#include "core/scopes.h"
#include "core/tokens.h"

enum { T_GRANT_TYPE, T_CODE, T_REDIRECT_URI, T_VERIFIER, T_REFRESH, T_SCOPE,
	T_CLIENT_ID, T_CLIENT_SECRET, T_DEVICE_CODE, T_RESOURCE, T_COUNT };

#define DEVICE_GRANT_TYPE	"urn:ietf:params:oauth:grant-type:device_code"

static const struct param_spec token_spec[T_COUNT] = {
	[T_GRANT_TYPE] = { "grant_type", 64, false },
	[T_CODE] = { "code", TOKEN_MAX_BYTES, false },
	[T_REDIRECT_URI] = { "redirect_uri", APP_URI_MAX_BYTES, false },
	/* over-long verifiers still reach the exchange, which uses the
	 * code up before refusing them */
	[T_VERIFIER] = { "code_verifier", 1024, false },
	[T_REFRESH] = { "refresh_token", TOKEN_MAX_BYTES, false },
	[T_SCOPE] = { "scope", SCOPES_TEXT_MAX, false },
	[T_CLIENT_ID] = { "client_id", APP_API_KEY_MAX_BYTES, false },
	[T_CLIENT_SECRET] = { "client_secret", TOKEN_MAX_BYTES, false },
	[T_DEVICE_CODE] = { "device_code", TOKEN_MAX_BYTES, false },
	/* RFC 8707: repeatable, joined by params_join() */
	[T_RESOURCE] = { "resource", RESOURCES_TEXT_MAX, false },
};

/* What the answer's id_token needs of the client's app, kept past the
 * handler for a refresh answered later. */
struct audience {
	char		 api_key[APP_API_KEY_MAX_BYTES + 1];
	enum jws_alg	 alg;
};

static void
audience_of(const struct app_row *app, struct audience *out)
{
	memcpy(out->api_key, app->api_key, sizeof(out->api_key));
	out->alg = idtoken_alg(app->id_token_alg);
}

/* docs/REFERENCE.md §3.3, §14.2: an id_token beside the pair whenever its
 * scope holds openid (a refresh narrowed without it gets none). */
static int
send_pair(struct keygate *kg, struct response *res,
    const struct token_pair *pair, const struct audience *aud)
{
	char scope[SCOPES_TEXT_MAX];
	json_t *j;
	struct buf idt;
	int rc = 0;

	scopes_format(pair->scope, scope);
	j = json_pack("{s:s, s:s, s:I, s:s, s:s}",
	    "access_token", pair->access,
	    "token_type", pair->bound ? "DPoP" : "Bearer",
	    "expires_in", (json_int_t)pair->expires_in,
	    "refresh_token", pair->refresh, "scope", scope);
	if (pair->scope & SCOPE_OPENID) {
		buf_init(&idt, IDTOKEN_MAX_BYTES);
		rc = idtoken_make(kg, aud->api_key, aud->alg, pair, &idt);
		if (rc == 0 && idt.err == 0)
			json_object_set_new(j, "id_token", json_stringn(idt.p,
			    idt.len));
		else
			rc = ERR_STORE;
		buf_release(&idt);
	}
	if (rc == 0) {
		response_json(res, 200, j);
		oauth_no_store(res);
	} else {
		json_decref(j);
	}
	return rc;
}

/* A grant's outcome as RFC 6749 §5.1/§5.2 answers it. */
static void
answer_grant(struct keygate *kg, struct response *res, int rc,
    const struct token_pair *pair, const struct audience *aud,
    const char *why)
{
	if (rc == 0)
		rc = send_pair(kg, res, pair, aud);
	if (rc == 0)
		return;
	if (rc == ERR_INVALID)
		oauth_error(res, 400, "invalid_grant", why);
	else if (rc == ERR_FORBIDDEN)
		oauth_error(res, 400, "invalid_scope", "The scope asks for "
		    "more than was granted, or names an unknown scope.");
	else if (rc == ERR_TARGET)
		oauth_error(res, 400, "invalid_target", why);
	else
		oauth_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached; try again soon.");
}

/* RFC 8628 §3.5: every outcome but the tokens is a 400 with its code. */
static void
answer_device(struct keygate *kg, struct response *res,
    const struct app_row *app, const struct str *in,
    const struct token_proof *proof)
{
	static const char *const errors[][2] = {
		[DEVICE_POLL_PENDING] = { "authorization_pending", "The user "
		    "has not decided yet; poll again after the interval." },
		[DEVICE_POLL_SLOW_DOWN] = { "slow_down", "Polled sooner than "
		    "the interval; it is now 5 seconds longer." },
		[DEVICE_POLL_DENIED] = { "access_denied", "The user denied "
		    "access." },
		[DEVICE_POLL_EXPIRED] = { "expired_token", "The device code "
		    "has expired; start again." },
	};
	struct token_pair pair;
	struct audience aud;
	enum device_poll poll;
	const char *why = NULL;
	int rc;

	rc = device_grant_poll(kg, app, in[T_DEVICE_CODE], in[T_RESOURCE],
	    proof, &poll, &pair, &why);
	if (rc == 0 && poll != DEVICE_POLL_TOKENS &&
	    poll != DEVICE_POLL_INVALID) {
		oauth_error(res, 400, errors[poll][0], errors[poll][1]);
		return;
	}
	if (rc == 0 && poll == DEVICE_POLL_INVALID)
		rc = ERR_INVALID;
	audience_of(app, &aud);
	answer_grant(kg, res, rc, &pair, &aud, why);
	sodium_memzero(&pair, sizeof(pair));
}

struct refresh_ctx {
	struct tokens_refresh	*op;
	struct audience		 aud;
	struct token_proof	 proof;	/* until the rotation is decided */
};

static void
refresh_answer(struct request *req, struct response *res, void *ctx)
{
	struct refresh_ctx *c = ctx;
	struct token_pair pair;
	const char *why = NULL;
	int rc;

	rc = tokens_refresh_end(c->op, &pair, &why);
	answer_grant(req->kg, res, rc, &pair, &c->aud, why);
	sodium_memzero(&pair, sizeof(pair));
}

/* The rotation commits with others on the store's thread; meanwhile the
 * connection waits without a thread of its own (request_later()). */
static void
refresh_later(struct request *req, const struct app_row *app,
    const struct str *in, const struct token_proof *proof)
{
	struct refresh_ctx *c = arena_alloc(req->arena, sizeof(*c));
	void *later;

	audience_of(app, &c->aud);
	if (proof != NULL)
		c->proof = *proof;
	later = request_later(req, refresh_answer, c);
	tokens_refresh_begin(req->kg, app, req->client_addr, in[T_REFRESH],
	    in[T_SCOPE], in[T_RESOURCE], proof != NULL ? &c->proof : NULL,
	    &c->op, http_later_ready, later);
}

/* grant_type=authorization_code: the exchange and its answer */
static void
answer_code(struct request *req, struct response *res,
    const struct app_row *app, const struct str *in,
    const struct token_proof *proof)
{
	struct token_pair pair;
	struct audience aud;
	const char *why = NULL;
	int rc;

	/* A missing redirect_uri fails in the exchange, which uses the code
	 * up (docs/REFERENCE.md §3.2: any attempt does). */
	if (in[T_CODE].len == 0) {
		oauth_error(res, 400, "invalid_request", "Send code.");
		return;
	}
	rc = tokens_exchange_code(req->kg, app, req->client_addr, in[T_CODE],
	    in[T_REDIRECT_URI], in[T_VERIFIER], in[T_RESOURCE], proof, &pair,
	    &why);
	audience_of(app, &aud);
	answer_grant(req->kg, res, rc, &pair, &aud, why);
	sodium_memzero(&pair, sizeof(pair));
}

void
oauth_token(struct request *req, struct response *res)
{
	struct app_row *app = xmalloc(sizeof(*app));
	struct token_proof buf;
	const struct token_proof *proof;
	struct str in[T_COUNT];

	if (!oauth_form(req, res, token_spec, T_COUNT, in) ||
	    !oauth_client(req, res, in[T_CLIENT_ID], in[T_CLIENT_SECRET],
	    app) || !oauth_dpop_proof(req, res, app, "/oauth2/token", &buf,
	    &proof))
		goto out;
	if (str_eq_lit(in[T_GRANT_TYPE], "authorization_code")) {
		answer_code(req, res, app, in, proof);
	} else if (str_eq_lit(in[T_GRANT_TYPE], "refresh_token")) {
		if (in[T_REFRESH].len == 0)
			oauth_error(res, 400, "invalid_request", "Send "
			    "refresh_token.");
		else
			refresh_later(req, app, in, proof);
	} else if (str_eq_lit(in[T_GRANT_TYPE], DEVICE_GRANT_TYPE)) {
		/* turning the switch off ends the polls of grants begun
		 * before, too */
		if (!app->device_flow)
			oauth_error(res, 400, "unauthorized_client", "This "
			    "application has not enabled the device flow.");
		else if (in[T_DEVICE_CODE].len == 0)
			oauth_error(res, 400, "invalid_request", "Send "
			    "device_code.");
		else
			answer_device(req->kg, res, app, in, proof);
	} else {
		oauth_error(res, 400, in[T_GRANT_TYPE].len == 0 ?
		    "invalid_request" : "unsupported_grant_type",
		    "Use grant_type authorization_code, refresh_token or "
		    DEVICE_GRANT_TYPE ".");
	}
out:
	free(app);
}

enum { R_TOKEN, R_HINT, R_CLIENT_ID, R_CLIENT_SECRET, R_COUNT };

static const struct param_spec token_ref_spec[R_COUNT] = {
	[R_TOKEN] = { "token", TOKEN_MAX_BYTES * 4, false },
	[R_HINT] = { "token_type_hint", 32, false },
	[R_CLIENT_ID] = { "client_id", APP_API_KEY_MAX_BYTES, false },
	[R_CLIENT_SECRET] = { "client_secret", TOKEN_MAX_BYTES, false },
};

/* The common start of revoke and introspect. */
static bool
token_request(struct request *req, struct response *res, struct str *in,
    struct app_row *app)
{
	if (!oauth_form(req, res, token_ref_spec, R_COUNT, in) ||
	    !oauth_client(req, res, in[R_CLIENT_ID], in[R_CLIENT_SECRET], app))
		return false;
	if (in[R_TOKEN].len == 0) {
		oauth_error(res, 400, "invalid_request", "Send token.");
		return false;
	}
	return true;
}

/* POST /oauth2/revoke (RFC 7009) */
void
oauth_revoke(struct request *req, struct response *res)
{
	struct app_row *app = xmalloc(sizeof(*app));
	struct str in[R_COUNT];

	if (token_request(req, res, in, app)) {
		if (tokens_revoke(req->kg, app, in[R_TOKEN], in[R_HINT]) == 0) {
			response_json(res, 200, json_object());
			oauth_no_store(res);
		} else {
			oauth_error(res, 503, "temporarily_unavailable",
			    "The data store cannot be reached.");
		}
	}
	free(app);
}

/* RFC 7662 §2.2 `aud`: the URIs of the resources the token is for
 * (docs/REFERENCE.md §22.1), the built-in API's being the issuer. */
static void
put_audience(struct buf *b, unsigned scope)
{
	const struct scope_table *t = scopes_now();
	unsigned aud = scopes_audience(scope);
	const char *sep = "";

	buf_puts(b, ",\"aud\":[");
	for (size_t k = 0; k < t->nresources; k++) {
		if (!(aud & t->resources[k].bit))
			continue;
		buf_puts(b, sep);
		buf_put_json_string(b, t->resources[k].uri);
		sep = ",";
	}
	buf_puts(b, "]");
}

/* The answer for an active token: printed, not built with jansson, as
 * introspection is on a hot path. */
static void
answer_active(struct response *res, const struct introspection *it)
{
	char scope[SCOPES_TEXT_MAX], jkt[DPOP_JKT_B64_BYTES + 1];
	struct buf *b = response_json_body(res, 200);

	scopes_format(it->row.scope, scope);
	buf_puts(b, "{\"active\":true,\"client_id\":");
	buf_put_json_string(b, it->row.api_key);
	buf_puts(b, ",\"scope\":");
	buf_put_json_string(b, scope);
	buf_printf(b, ",\"sub\":\"%lld\",\"token_type\":\"%s\",\"iat\":%lld",
	    (long long)it->row.account_id,
	    it->is_refresh ? "refresh_token" : it->row.bound ? "DPoP" :
	    "Bearer", (long long)it->row.iat);
	/* RFC 9449 §6.2: the key a bound token must be presented with */
	if (it->row.bound) {
		dpop_jkt_b64(it->row.jkt, jkt);
		buf_printf(b, ",\"cnf\":{\"jkt\":\"%s\"}", jkt);
	}
	if (it->exp != 0)
		buf_printf(b, ",\"exp\":%lld", (long long)it->exp);
	put_audience(b, it->row.scope);
	buf_puts(b, "}");
}

/* POST /oauth2/introspect (RFC 7662); not a use of the token. */
void
oauth_introspect(struct request *req, struct response *res)
{
	struct app_row *app = xmalloc(sizeof(*app));
	struct introspection it;
	struct str in[R_COUNT];

	if (!token_request(req, res, in, app))
		goto out;
	if (tokens_introspect(req->kg, app, in[R_TOKEN], &it) != 0) {
		oauth_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached.");
		goto out;
	}
	if (it.active)
		answer_active(res, &it);
	else
		response_json_text(res, 200, "{\"active\":false}");
	oauth_no_store(res);
out:
	free(app);
}
