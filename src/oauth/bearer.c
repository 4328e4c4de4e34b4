/* Bearer-token checks: GET /oauth2/check and the built-in API
 * (docs/REFERENCE.md §3.6, §5; RFC 6750). Each successful call counts as a use
 * of the token. */
#include "oauth/oauth.h"

#include <stdio.h>

#include "core/accounts.h"
#include "base/err.h"
#include "core/scopes.h"
#include "core/tokens.h"
#include "http/basic.h"
#include "http/form.h"

/* RFC 6750 §3: no token gets a bare challenge, a bad one invalid_token.
 * Each names the protected resource metadata (RFC 9728 §5.1), so that a
 * client that only knows the API's URL finds the authorization server. */
static void
challenge(struct request *req, struct response *res, int status,
    const char *error, const char *description)
{
	struct buf b;

	buf_init(&b, 512);
	buf_puts(&b, "Bearer ");
	if (error != NULL)
		buf_printf(&b, "error=\"%s\", ", error);
	oauth_resource_metadata_param(req->kg, &b);
	/* RFC 6750 §3.1: no error code when no token was sent */
	response_json_error(res, status, error != NULL ? error :
	    "unauthorized", description);
	response_header(res, "WWW-Authenticate", b.err == 0 ? b.p : "Bearer");
	buf_release(&b);
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

/* Answers a failed token or store read (ERR_AUTH or ERR_NOTFOUND: the
 * token, or its account, is gone) and returns false; true for rc == 0. */
static bool
answered_ok(struct request *req, struct response *res, int rc)
{
	if (rc == ERR_AUTH || rc == ERR_NOTFOUND)
		challenge(req, res, 401, "invalid_token", "The access token is "
		    "invalid, expired or revoked.");
	else if (rc != 0)
		response_json_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached.");
	return rc == 0;
}

/* Resolves the request's bearer token; answers and returns false unless it
 * is valid. `record` says whether this call is a use. */
static bool
bearer(struct request *req, struct response *res, bool record,
    struct str *token, struct token_row *row)
{
	int rc = bearer_parse(request_header(req, "Authorization"), token);

	if (rc == ERR_NOTFOUND) {
		challenge(req, res, 401, NULL, "Send the access token as "
		    "Authorization: Bearer.");
		return false;
	}
	if (token_sent_twice(req)) {
		challenge(req, res, 400, "invalid_request", "Send the access token "
		    "one way only: the Authorization header.");
		return false;
	}
	rc = rc == 0 ? tokens_use(req->kg, *token, record, row) : ERR_AUTH;
	return answered_ok(req, res, rc);
}

/* A bearer call that needs `bit` of the token's scope and counts as a use:
 * looks first, so that a 403 is no use, then records it. Answers and
 * returns false unless the call may go on. */
static bool
scoped_use(struct request *req, struct response *res, unsigned bit,
    const char *insufficient, struct str *token, struct token_row *row)
{
	if (!bearer(req, res, false, token, row))
		return false;
	if (!(row->scope & bit)) {
		challenge(req, res, 403, "insufficient_scope", insufficient);
		return false;
	}
	return answered_ok(req, res, tokens_use(req->kg, *token, true, row));
}

void
oauth_check(struct request *req, struct response *res)
{
	struct token_row row;
	struct str token;
	char sub[24], scope[SCOPES_TEXT_MAX];

	if (!bearer(req, res, true, &token, &row))
		return;
	snprintf(sub, sizeof(sub), "%lld", (long long)row.account_id);
	scopes_format(row.scope, scope);
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
	struct str token;
	struct buf *b;

	if (!scoped_use(req, res, SCOPE_ACCOUNT_READ, "This call needs the "
	    "account_read scope.", &token, &row) ||
	    !answered_ok(req, res, accounts_email(req->kg, row.account_id, email)))
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
	struct str token;
	bool verified = false;
	struct buf *b;

	if (!scoped_use(req, res, SCOPE_OPENID, "This call needs the openid "
	    "scope.", &token, &row))
		return;
	if ((row.scope & SCOPE_EMAIL) && !answered_ok(req, res,
	    accounts_email_verified(req->kg, row.account_id, email, &verified)))
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
