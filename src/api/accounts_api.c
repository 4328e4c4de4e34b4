#include "api/api.h"

#include <string.h>

#include "core/accounts.h"
#include "core/err.h"

/* Takes the string member `key` of obj into *out; records a reason in
 * fields when it is absent or not a string. */
static void
take_string(json_t *obj, const char *key, json_t *fields, struct str *out)
{
	json_t *v = json_object_get(obj, key);

	*out = STR_NULL;
	if (v == NULL)
		json_object_set_new(fields, key, json_string("is required"));
	else if (!json_is_string(v))
		json_object_set_new(fields, key, json_string("must be a string"));
	else
		*out = (struct str){ json_string_value(v),
		    json_string_length(v) };
}

static void
unknown_members(json_t *obj, json_t *fields)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		if (strcmp(key, "email") != 0 && strcmp(key, "password") != 0 &&
		    strlen(key) <= 64)
			json_object_set_new(fields, key,
			    json_string("is not a field of an account"));
	}
}

static void
invalid(struct response *res, json_t *fields)
{
	response_json(res, 422, json_pack("{s:s, s:o}", "error",
	    "invalid_request", "fields", fields));
}

/* POST /api/v1/accounts {"email","password"} → 201 {"account_id","email"} */
void
api_accounts_create(struct request *req, struct response *res)
{
	json_t *body, *fields;
	struct str email, password;
	struct signup_errors errs;
	struct account acct;
	int64_t wait = 0;
	int rc;

	if (!api_json_body(req, res, &body))
		return;
	fields = json_object();
	take_string(body, "email", fields, &email);
	take_string(body, "password", fields, &password);
	unknown_members(body, fields);
	if (json_object_size(fields) > 0) {
		invalid(res, fields);
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
		invalid(res, fields);
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
