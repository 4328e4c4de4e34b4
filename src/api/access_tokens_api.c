#include "api/api.h"

#include <sodium.h>
#include <stdlib.h>

#include "core/accounts.h"
#include "base/err.h"
#include "core/pats.h"
#include "core/totp.h"
#include "http/basic.h"

static json_t *
pat_json(const void *p)
{
	const struct pat_row *row = p;

	return json_pack("{s:o, s:o, s:o}", "id", api_id(row->id),
	    "created_at", json_time(row->created_at),
	    "last_used_at", json_time(row->last_used_at));
}

static int64_t
pat_key(const void *row)
{
	return ((const struct pat_row *)row)->id;
}

static void
basic_challenge(struct response *res, const char *error, const char *msg)
{
	response_json_error(res, 401, error, msg);
	response_header(res, "WWW-Authenticate",
	    "Basic realm=\"keygate\", charset=\"UTF-8\"");
}

/* With two-step log-in on, the password alone is not enough: the header
 * X-Keygate-OTP carries a code from the app (or a recovery code). Its
 * absence and a wrong code are 401s that name themselves, beside the same
 * Basic challenge as a wrong password (RFC 7235 §3.1), so that a script
 * can tell what to ask its user for. */
static int
second_step(struct request *req, struct response *res,
    const struct account *acct, int64_t *wait)
{
	struct str code = request_header(req, "X-Keygate-OTP");
	bool on = false;
	int rc = totp_enabled(req->kg, acct->id, &on);

	if (rc != 0 || !on)
		return rc;
	if (code.len == 0) {
		basic_challenge(res, "otp_required", "This account has "
		    "two-step log-in on: send a current code from the app in "
		    "the X-Keygate-OTP header.");
		return ERR_AUTH;
	}
	rc = totp_check(req->kg, acct->id, req->client_addr, code, wait);
	if (rc == ERR_AUTH)
		basic_challenge(res, "invalid_otp", "The code in X-Keygate-OTP "
		    "is wrong, used before, or not current.");
	return rc;
}

/* POST /api/v1/access-tokens with HTTP Basic email:password →
 * 201 {"id","token","created_at"}; the token is shown this once. */
void
api_access_tokens_create(struct request *req, struct response *res)
{
	struct str email, password;
	struct account acct;
	struct pat_row row;
	struct login_origin from = { req->client_addr, false, STR_NULL };
	char token[TOKEN_MAX_BYTES + 1];
	int64_t wait = 0;
	int rc;

	rc = basic_parse(req->arena, request_header(req, "Authorization"),
	    false, &email, &password);
	if (rc == ERR_NOTFOUND) {
		basic_challenge(res, "unauthorized", "Send your email and "
		    "password with HTTP Basic authentication.");
		return;
	}
	if (rc != 0) {
		response_json_error(res, 400, "invalid_request",
		    "The Basic credentials are not well formed.");
		return;
	}
	/* A Basic caller carries no device cookie: never counted per
	 * account alone (accounts.h). */
	rc = accounts_login(req->kg, &from, email, password, &acct, &wait);
	if (rc == 0 && (rc = second_step(req, res, &acct, &wait)) == ERR_AUTH)
		return;		/* answered */
	if (rc == ERR_THROTTLED) {
		api_throttled(res, wait, API_TOO_MANY_FAILURES);
		return;
	}
	if (rc == 0)
		rc = pats_issue(req->kg, acct.id, req->client_addr, token, &row,
		    &wait);
	switch (rc) {
	case 0:
		response_json(res, 201, json_pack("{s:o, s:s, s:o}", "id",
		    api_id(row.id), "token", token, "created_at",
		    json_time(row.created_at)));
		sodium_memzero(token, sizeof(token));
		break;
	case ERR_AUTH:
		basic_challenge(res, "unauthorized",
		    "Wrong email or password.");
		break;
	case ERR_FORBIDDEN:	/* accounts_login(): the right password */
		response_json_error(res, 403, "account_disabled",
		    ACCOUNTS_DISABLED);
		break;
	case ERR_THROTTLED:	/* pats_issue(): the account's hourly count */
		api_throttled(res, wait, PATS_TOO_FAST);
		break;
	case ERR_TOOBIG:
		api_too_many(res, json_object(), PATS_TOO_MANY);
		break;
	default:
		api_unavailable(res);
	}
}

/* GET /api/v1/access-tokens?limit=&cursor= → 200
 * [{"id","created_at","last_used_at"}], newest first */
void
api_access_tokens_list(struct request *req, struct response *res)
{
	struct pat_row *rows = NULL;
	struct store_page page;
	int64_t account_id;
	size_t n = 0;

	if (!api_account(req, res, &account_id) ||
	    !api_page_read(req, res, &page))
		return;
	if (pats_list(req->kg, account_id, &page, &rows, &n) != 0) {
		api_unavailable(res);
		return;
	}
	api_page_answer(req, res, &page, &(struct api_list){
	    "/api/v1/access-tokens", rows, sizeof(*rows), n, pat_json,
	    pat_key, NULL });
	free(rows);
}

/* DELETE /api/v1/access-tokens/{id} → 204; another account's: 404 */
void
api_access_tokens_delete(struct request *req, struct response *res)
{
	int64_t account_id;
	long long id;
	int rc;

	if (!api_account(req, res, &account_id))
		return;
	rc = str_to_i64(req->route_params[0], 1, INT64_MAX, &id);
	if (rc == 0)
		rc = pats_revoke(req->kg, account_id, req->client_addr, id);
	else
		rc = ERR_NOTFOUND;
	if (rc == 0) {
		res->status = 204;
		res->content_type = NULL;
	} else if (rc == ERR_NOTFOUND) {
		response_json_error(res, 404, "not_found",
		    "No such personal access token.");
	} else {
		api_unavailable(res);
	}
}
