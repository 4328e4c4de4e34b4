#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "core/pats.h"
#include "http/basic.h"

bool
api_json_body(struct request *req, struct response *res, json_t **out)
{
	switch (request_json(req, out)) {
	case 0:
		return true;
	case ERR_INVALID:
		response_json_error(res, 415, "invalid_request",
		    "Send a JSON object with Content-Type: application/json.");
		return false;
	default:
		response_json_error(res, 400, "invalid_request",
		    "The body is not a JSON object (or not UTF-8, or repeats "
		    "a key).");
		return false;
	}
}

static void
unauthorized(struct response *res, const char *challenge, const char *msg)
{
	response_json_error(res, 401, "unauthorized", msg);
	response_header(res, "WWW-Authenticate", challenge);
}

bool
api_account(struct request *req, struct response *res, int64_t *account_id)
{
	struct str token;
	int64_t wait = 0;
	int rc;

	rc = bearer_parse(request_header(req, "Authorization"), &token);
	if (rc == ERR_NOTFOUND) {
		unauthorized(res, "Bearer realm=\"keygate\"",
		    "Send a personal access token as Authorization: Bearer.");
		return false;
	}
	if (rc == 0)
		rc = pats_authenticate(req->kg, req->client_addr, token,
		    account_id, &wait);
	else
		rc = ERR_AUTH;
	switch (rc) {
	case 0:
		return true;
	case ERR_AUTH:
		unauthorized(res, "Bearer realm=\"keygate\", "
		    "error=\"invalid_token\"",
		    "The personal access token is unknown or revoked.");
		return false;
	case ERR_THROTTLED:
		api_throttled(res, wait, API_TOO_MANY_FAILURES);
		return false;
	default:
		api_unavailable(res);
		return false;
	}
}

void
api_unavailable(struct response *res)
{
	response_json_error(res, 503, "temporarily_unavailable",
	    "The data store cannot be reached; try again soon.");
	response_header(res, "Retry-After", "1");
}

void
api_app_not_found(struct response *res)
{
	response_json_error(res, 404, "not_found", "No such application.");
}

void
api_unverified(struct response *res)
{
	response_json_error(res, 403, "email_unverified", "Verify the "
	    "account's email address first: follow the link mailed to it, "
	    "or have a new one sent from the account page (/account).");
}

void
api_throttled(struct response *res, int64_t retry_after_s, const char *why)
{
	char num[24];

	response_json_error(res, 429, "too_many_requests", why);
	snprintf(num, sizeof(num), "%lld", (long long)retry_after_s);
	response_header(res, "Retry-After", num);
}

json_t *
api_id(int64_t id)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)id);
	return json_string(s);
}

void
api_take_string(json_t *obj, const char *key, json_t *fields,
    struct str *out, bool *present)
{
	json_t *v = json_object_get(obj, key);

	*out = STR_NULL;
	*present = v != NULL;
	if (v == NULL)
		return;
	if (!json_is_string(v)) {
		json_object_set_new(fields, key,
		    json_string("must be a string"));
		return;
	}
	*out = (struct str){ json_string_value(v), json_string_length(v) };
}

void
api_refuse_unknown(json_t *obj, const char *const *known, json_t *fields)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; known[i] != NULL; i++)
			if (strcmp(key, known[i]) == 0)
				break;
		if (known[i] != NULL)
			continue;
		/* Echo a short name back; a long one is not worth echoing. */
		json_object_set_new(fields, strlen(key) <= 64 ? key :
		    "(unknown)", json_string("is not a known field"));
	}
}

void
api_too_many(struct response *res, json_t *fields, const char *why)
{
	json_object_set_new(fields, "account", json_string(why));
	response_json(res, 422, json_pack("{s:s, s:s, s:o}", "error",
	    "invalid_request", "error_description", why, "fields", fields));
}

void
api_invalid(struct response *res, json_t *fields)
{
	response_json(res, 422, json_pack("{s:s, s:o}", "error",
	    "invalid_request", "fields", fields));
}
