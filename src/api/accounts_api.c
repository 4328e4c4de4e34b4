#include "api/api.h"

#include <sodium.h>

#include "core/accounts.h"
#include "base/err.h"
#include "core/verification.h"

/* Reads {"email","password"}; type, presence and unknown-member problems
 * go into fields. */
static void
read_signup(json_t *body, json_t *fields, struct str *email,
    struct str *password)
{
	static const char *const known[] = { "email", "password", NULL };
	bool has_email, has_password;

	api_take_string(body, "email", fields, email, &has_email);
	api_take_string(body, "password", fields, password, &has_password);
	if (!has_email)
		json_object_set_new(fields, "email",
		    json_string("is required"));
	if (!has_password)
		json_object_set_new(fields, "password",
		    json_string("is required"));
	api_refuse_unknown(body, known, fields);
}

/* Answers a sign-up's outcome; takes over the reference to fields. */
static void
answer(struct response *res, int rc, const struct account *acct,
    const struct signup_errors *errs, json_t *fields, int64_t wait)
{
	if (rc == ERR_INVALID) {
		if (errs->email != NULL)
			json_object_set_new(fields, "email",
			    json_string(errs->email));
		if (errs->password != NULL)
			json_object_set_new(fields, "password",
			    json_string(errs->password));
		api_invalid(res, fields);
		return;
	}
	json_decref(fields);
	if (rc == 0)
		response_json(res, 201, json_pack("{s:o, s:s, s:b}",
		    "account_id", api_id(acct->id), "email", acct->email,
		    "email_verified", acct->email_verified));
	else if (rc == ERR_EXISTS)
		response_json_error(res, 409, "email_taken",
		    "An account with this email already exists.");
	else if (rc == ERR_FORBIDDEN)
		response_json_error(res, 403, "signup_disabled",
		    "This server does not take new accounts.");
	else if (rc == ERR_THROTTLED)
		api_throttled(res, wait, "Too many sign-ups from this address; "
		    "wait before trying again.");
	else
		api_unavailable(res);
}

/* POST /api/v1/accounts {"email","password"} → 201 {"account_id","email"} */
void
api_accounts_create(struct request *req, struct response *res)
{
	struct signup_errors errs = { 0 };
	struct account acct;
	struct str email, password;
	json_t *body, *fields;
	int64_t wait = 0;
	int rc;

	if (!api_json_body(req, res, &body))
		return;
	fields = json_object();
	read_signup(body, fields, &email, &password);
	if (json_object_size(fields) > 0)
		api_invalid(res, fields);
	else {
		rc = accounts_signup(req->kg, req->client_addr, email,
		    password, &acct, &errs, &wait);
		/* The account stands without its mail: the link can be
		 * sent again. */
		if (rc == 0)
			verification_start(req->kg, &acct);
		answer(res, rc, &acct, &errs, fields, wait);
	}
	json_decref(body);
}

/* GET /api/v1/account → 200 {"account_id","email","email_verified",
 * "created_at"}: the account of the personal access token. */
void
api_account_get(struct request *req, struct response *res)
{
	struct account acct;
	int64_t account_id;

	if (!api_account(req, res, &account_id))
		return;
	if (accounts_get(req->kg, account_id, &acct) != 0) {
		api_unavailable(res);
		return;
	}
	response_json(res, 200, json_pack("{s:o, s:s, s:b, s:o}",
	    "account_id", api_id(acct.id), "email", acct.email,
	    "email_verified", acct.email_verified, "created_at",
	    json_time(acct.created_at)));
	sodium_memzero(&acct, sizeof(acct));
}
