#include "api/api.h"

#include "core/accounts.h"
#include "core/err.h"

/* POST /api/v1/accounts {"email","password"} → 201 {"account_id","email"} */
void
api_accounts_create(struct request *req, struct response *res)
{
	static const char *const known[] = { "email", "password", NULL };
	json_t *body, *fields;
	struct str email, password;
	bool has_email, has_password;
	struct signup_errors errs;
	struct account acct;
	int64_t wait = 0;
	int rc;

	if (!api_json_body(req, res, &body))
		return;
	fields = json_object();
	api_take_string(body, "email", fields, &email, &has_email);
	api_take_string(body, "password", fields, &password, &has_password);
	if (!has_email)
		json_object_set_new(fields, "email", json_string("is required"));
	if (!has_password)
		json_object_set_new(fields, "password",
		    json_string("is required"));
	api_refuse_unknown(body, known, fields);
	if (json_object_size(fields) > 0) {
		api_invalid(res, fields);
		goto out;
	}
	rc = accounts_signup(req->kg, req->client_addr, email, password, &acct,
	    &errs, &wait);
	switch (rc) {
	case 0:
		response_json(res, 201, json_pack("{s:o, s:s}", "account_id",
		    api_id(acct.id), "email", acct.email));
		json_decref(fields);
		break;
	case ERR_INVALID:
		if (errs.email != NULL)
			json_object_set_new(fields, "email",
			    json_string(errs.email));
		if (errs.password != NULL)
			json_object_set_new(fields, "password",
			    json_string(errs.password));
		api_invalid(res, fields);
		break;
	case ERR_EXISTS:
		response_json_error(res, 409, "email_taken",
		    "An account with this email already exists.");
		json_decref(fields);
		break;
	case ERR_FORBIDDEN:
		response_json_error(res, 403, "signup_disabled",
		    "This server does not take new accounts.");
		json_decref(fields);
		break;
	case ERR_THROTTLED:
		api_throttled(res, wait);
		json_decref(fields);
		break;
	default:
		api_unavailable(res);
		json_decref(fields);
	}
out:
	json_decref(body);
}
