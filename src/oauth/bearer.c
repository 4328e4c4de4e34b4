/* Bearer and DPoP token checks: GET /oauth2/check and the built-in API
 * (docs/REFERENCE.md §3.6, §5, §17.1; RFC 6750, RFC 9449 §7). Each
 * successful call counts as a use of the token. */
#include "oauth/oauth.h"

#include <stdio.h>
#include <string.h>

#include "core/accounts.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/dpop.h"
#include "core/scopes.h"
#include "core/tokens.h"
#include "http/basic.h"
#include "http/form.h"

#define DPOP_ALGS	"algs=\"ES256 EdDSA RS256\""

/* RFC 6750 §3: no token gets a bare challenge (of both schemes, RFC 9449
 * §7.1), a bad one invalid_token. Each names the protected resource
 * metadata (RFC 9728 §5.1), so that a client that only knows the API's
 * URL finds the authorization server. */
static void
challenge(struct request *req, struct response *res, int status,
    const char *error, const char *description)
{
	struct buf b;

	buf_init(&b, 512);
	buf_puts(&b, "Bearer ");
	if (error != NULL)
		buf_printf(&b, "error=\"%s\", ", error);
	oauth_resource_metadata_param(req, &b);
	/* RFC 6750 §3.1: no error code when no token was sent */
	if (error == NULL)
		buf_puts(&b, ", DPoP " DPOP_ALGS);
	response_json_error(res, status, error != NULL ? error :
	    "unauthorized", description);
	response_header(res, "WWW-Authenticate", b.err == 0 ? b.p : "Bearer");
	buf_release(&b);
}

/* RFC 9449 §7.1: the DPoP scheme's challenge, one header (nginx's
 * auth_request passes one on), naming the resource metadata as the
 * Bearer one does. The descriptions are keygate's own sentences, without
 * quotes or backslashes. */
static void
dpop_challenge(struct request *req, struct response *res, int status,
    const char *error, const char *description)
{
	struct buf b;

	buf_init(&b, 768);
	buf_printf(&b, "DPoP error=\"%s\", error_description=\"%s\", "
	    DPOP_ALGS ", ", error, description);
	oauth_resource_metadata_param(req, &b);
	response_json_error(res, status, error, description);
	response_header(res, "WWW-Authenticate", b.err == 0 ? b.p : "DPoP");
	buf_release(&b);
}

/* A refused proof (dpop_check()'s outcome rc): invalid_dpop_proof, or
 * use_dpop_nonce with the nonce to send. */
static void
dpop_refused(struct request *req, struct response *res, int rc,
    const char *why, int64_t now)
{
	char nonce[DPOP_NONCE_MAX_BYTES + 1];

	if (rc == DPOP_NONCE) {
		dpop_nonce(req->kg, now, nonce);
		response_header(res, "DPoP-Nonce", nonce);
		dpop_challenge(req, res, 401, "use_dpop_nonce", why);
	} else if (rc == DPOP_INVALID) {
		dpop_challenge(req, res, 401, "invalid_dpop_proof", why);
	} else {
		response_json_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached.");
	}
}

/* True when the query or a form body also carries an access_token: RFC 6750
 * §2 makes a request with more than one way of sending the token invalid.
 * Parsed only when there is something to parse, so the hot path stays a
 * header read. */
static bool
token_sent_twice(struct request *req)
{
	struct params ps;

	if (req->query.len > 0 && request_query(req, &ps) == 0 &&
	    params_get(&ps, "access_token").p != NULL)
		return true;
	return req->body.len > 0 && request_form(req, &ps) == 0 &&
	    params_get(&ps, "access_token").p != NULL;
}

/* The token as the request presents it: as Bearer, or under the DPoP
 * scheme with a proof of the key whose thumbprint is jkt. */
struct presented {
	struct str	 token;
	bool		 dpop;
	unsigned	 how;	/* TOKENS_API or not (core/tokens.h) */
	unsigned	 aud;	/* the resource called (core/scopes.h) */
	unsigned char	 jkt[DPOP_JKT_BYTES];
	struct dpop_seen seen;	/* the proof, remembered once p is good */
};

/* Answers a failed token or store read (ERR_AUTH or ERR_NOTFOUND: the
 * token, or its account, is gone; ERR_FORBIDDEN: a token bound to a key
 * presented without its proof) and returns false; true for rc == 0. */
static bool
answered_key(struct request *req, struct response *res, int rc,
    const struct presented *p)
{
	static const char invalid[] = "The access token is invalid, expired "
	    "or revoked.";

	if (rc == ERR_FORBIDDEN)
		dpop_challenge(req, res, 401, "invalid_token", p->dpop ?
		    "The access token is bound to another DPoP key." :
		    "The access token is bound to a DPoP key: send it as "
		    "Authorization: DPoP with a DPoP proof.");
	else if ((rc == ERR_AUTH || rc == ERR_NOTFOUND) && p->dpop)
		dpop_challenge(req, res, 401, "invalid_token", invalid);
	else if (rc == ERR_AUTH || rc == ERR_NOTFOUND)
		challenge(req, res, 401, "invalid_token", invalid);
	else if (rc != 0)
		response_json_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached.");
	return rc == 0;
}

/* The URI a proof's htu names (RFC 9449 §4.3), of at most this */
#define HTU_MAX_BYTES	4096

/* What the request's DPoP proof must name: its method and URI as the
 * client addressed them. At /oauth2/check behind a proxy (`proxied`), the
 * proxied request's, as the proxy says in X-Original-Method and
 * X-Original-URI (absolute, or a path under the issuer); elsewhere this
 * request's, under the issuer. */
static void
dpop_target(struct request *req, bool proxied, struct buf *htu,
    const char **htm)
{
	struct str m = proxied ? request_header(req, "X-Original-Method") :
	    STR_NULL;
	struct str u = proxied ? request_header(req, "X-Original-URI") :
	    STR_NULL;

	/* request_header()'s values are NUL-terminated */
	*htm = m.len > 0 ? m.p : req->method_name;
	/* a path starts with '/', and may carry "://" in its query */
	if (u.len > 0 && u.p[0] != '/') {
		buf_putstr(htu, u);
		return;
	}
	buf_puts(htu, req->kg->cfg->issuer);
	buf_putstr(htu, u.len > 0 ? u : req->path);
}

/* The request's one DPoP header checked as a proof for this request and
 * token at `now` (not remembered yet: dpop_use()); answers and returns
 * false unless it passes. */
static bool
proof_ok(struct request *req, struct response *res, bool proxied,
    int64_t now, struct presented *p)
{
	struct dpop_want want = { NULL, STR_NULL, p->token, DPOP_AT_RESOURCE,
	    &p->seen };
	const char *why = "DPoP proof URI is too long";
	struct buf htu;
	int rc = DPOP_INVALID;

	if (request_header_count(req, "DPoP") != 1) {
		dpop_challenge(req, res, 401, "invalid_dpop_proof", "Send one "
		    "DPoP header with a DPoP proof for this request.");
		return false;
	}
	buf_init(&htu, HTU_MAX_BYTES);
	dpop_target(req, proxied, &htu, &want.htm);
	want.htu = buf_str(&htu);
	if (htu.err == 0)
		rc = dpop_check(req->kg, request_header(req, "DPoP"), &want,
		    now, p->jkt, &why);
	buf_release(&htu);
	if (rc != 0) {
		dpop_refused(req, res, rc, why, now);
		return false;
	}
	return true;
}

/* A token presented with a checked proof: the proof is remembered only
 * once the token is found good and bound to its key, so that proofs sent
 * with tokens that are not (anyone can sign those) fill no memory; then
 * the use, when this call is one. Answers and returns false unless the
 * call may go on. */
static bool
dpop_use(struct request *req, struct response *res, bool record,
    int64_t now, struct presented *p, struct token_row *row)
{
	char nonce[DPOP_NONCE_MAX_BYTES + 1];
	const char *why = NULL;
	int rc;

	if (!answered_key(req, res, tokens_use_key(req->kg, p->token,
	    p->how & TOKENS_API, p->aud, p->jkt, row), p))
		return false;
	if ((rc = dpop_remember(req->kg, &p->seen, now, &why)) != 0) {
		dpop_refused(req, res, rc, why, now);
		return false;
	}
	if (record && !answered_key(req, res, tokens_use_key(req->kg,
	    p->token, p->how | TOKENS_RECORD, p->aud, p->jkt, row), p))
		return false;
	/* RFC 9449 §8.2: the nonce for the client's next proof, on an
	 * answer that refused nothing (a refusal says its own) */
	if (req->kg->cfg->dpop_nonce) {
		dpop_nonce(req->kg, now, nonce);
		response_header(res, "DPoP-Nonce", nonce);
	}
	return true;
}

/* Resolves the request's access token, as Bearer or DPoP; answers and
 * returns false unless it is valid. `record` says whether this call is a
 * use; `proxied`, whether the proof names a request proxied to here. */
static bool
bearer(struct request *req, struct response *res, bool record, bool proxied,
    struct presented *p, struct token_row *row)
{
	struct str h = request_header(req, "Authorization");
	int rc = token_parse(h, "Bearer", &p->token);
	int64_t now;

	p->dpop = false;
	/* the check is the one call a proxy makes for another */
	p->how = proxied ? 0 : TOKENS_API;
	if (!proxied)
		p->aud = SCOPE_AUD_BUILTIN;	/* /v3, userinfo */
	if (rc == ERR_NOTFOUND &&
	    (rc = token_parse(h, "DPoP", &p->token)) != ERR_NOTFOUND)
		p->dpop = true;
	if (rc == ERR_NOTFOUND) {
		challenge(req, res, 401, NULL, "Send the access token as "
		    "Authorization: Bearer, or as Authorization: DPoP with a "
		    "DPoP proof.");
		return false;
	}
	if (token_sent_twice(req)) {
		challenge(req, res, 400, "invalid_request", "Send the access token "
		    "one way only: the Authorization header.");
		return false;
	}
	if (rc != 0)
		return answered_key(req, res, ERR_AUTH, p);
	if (!p->dpop)
		return answered_key(req, res, tokens_use_key(req->kg, p->token,
		    p->how | (record ? TOKENS_RECORD : 0), p->aud, NULL, row), p);
	now = clock_now(req->kg->clock);
	return proof_ok(req, res, proxied, now, p) && dpop_use(req, res, record,
	    now, p, row);
}

/* A bearer call that needs `bit` of the token's scope and counts as a use:
 * looks first, so that a 403 is no use, then records it. Answers and
 * returns false unless the call may go on. */
static bool
scoped_use(struct request *req, struct response *res, unsigned bit,
    const char *insufficient, struct presented *p, struct token_row *row)
{
	if (!bearer(req, res, false, false, p, row))
		return false;
	if (!(row->scope & bit)) {
		if (p->dpop)
			dpop_challenge(req, res, 403, "insufficient_scope",
			    insufficient);
		else
			challenge(req, res, 403, "insufficient_scope",
			    insufficient);
		return false;
	}
	return answered_key(req, res, tokens_use_key(req->kg, p->token,
	    TOKENS_API | TOKENS_RECORD, p->aud, p->dpop ? p->jkt : NULL, row), p);
}

void
oauth_check(struct request *req, struct response *res)
{
	struct token_row row;
	struct presented p;
	char sub[24], scope[SCOPES_TEXT_MAX];
	struct str called = request_header(req, "X-Keygate-Resource");
	const struct resource_info *r = NULL;

	/* RFC 8707: the proxy names the resource it guards; without the
	 * header it is the built-in API. A resource not registered opens
	 * nothing. */
	if (called.p != NULL && (r = scopes_resource(scopes_now(), called)) ==
	    NULL) {
		challenge(req, res, 401, "invalid_token", "X-Keygate-Resource "
		    "names no resource this server guards.");
		return;
	}
	p.aud = r != NULL ? r->bit : SCOPE_AUD_BUILTIN;
	if (!bearer(req, res, true, true, &p, &row))
		return;
	snprintf(sub, sizeof(sub), "%lld", (long long)row.account_id);
	/* the scopes of the resource called, not those meant for others */
	scopes_format(row.scope & (r != NULL ? r->scopes : SCOPE_BUILTIN),
	    scope);
	response_header(res, "X-Keygate-Subject", sub);
	response_header(res, "X-Keygate-Client", row.api_key);
	response_header(res, "X-Keygate-Scope", scope);
	response_json_text(res, 200, "{\"active\":true}");
}

void
oauth_account_summary(struct request *req, struct response *res)
{
	struct token_row row;
	char email[ACCOUNT_EMAIL_MAX_BYTES + 1];
	struct presented p;
	struct buf *b;

	if (!scoped_use(req, res, SCOPE_ACCOUNT_READ, "This call needs the "
	    "account_read scope.", &p, &row) ||
	    !answered_key(req, res, accounts_email(req->kg, row.account_id,
	    email), &p))
		return;
	/* printed, not built with jansson: a hot path */
	b = response_json_body(res, 200);
	buf_printf(b, "{\"account_id\":\"%lld\",\"email\":",
	    (long long)row.account_id);
	buf_put_json_string(b, email);
	buf_puts(b, "}");
}

/* GET|POST /oauth2/userinfo (OpenID Connect Core §5.3; docs/REFERENCE.md
 * §14.3): the token in the Authorization header only, as everywhere else
 * in keygate. At the check's speed: the token cache and the accounts memo
 * answer without a store read. */
void
oauth_userinfo(struct request *req, struct response *res)
{
	struct token_row row;
	char email[ACCOUNT_EMAIL_MAX_BYTES + 1];
	struct presented p;
	bool verified = false;
	struct buf *b;

	if (!scoped_use(req, res, SCOPE_OPENID, "This call needs the openid "
	    "scope.", &p, &row))
		return;
	if ((row.scope & SCOPE_EMAIL) && !answered_key(req, res,
	    accounts_email_verified(req->kg, row.account_id, email, &verified),
	    &p))
		return;
	b = response_json_body(res, 200);
	buf_printf(b, "{\"sub\":\"%lld\"", (long long)row.account_id);
	if (row.scope & SCOPE_EMAIL) {
		buf_puts(b, ",\"email\":");
		buf_put_json_string(b, email);
		buf_printf(b, ",\"email_verified\":%s",
		    verified ? "true" : "false");
	}
	buf_puts(b, "}");
	oauth_no_store(res);
}
