#include "core/app_json.h"

#include "core/apps.h"
#include "core/json_time.h"
#include "base/clock.h"

static json_t *
uri_list(const struct str *uris, size_t n)
{
	json_t *list = json_array();

	for (size_t i = 0; i < n && i < APP_MAX_REDIRECT_URIS; i++)
		json_array_append_new(list, json_stringn(uris[i].p,
		    uris[i].len));
	return list;
}

static json_t *
secret_json(int64_t id, int64_t created, int64_t used, int64_t expires)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_integer(id));
	json_object_set_new(j, "created_at", json_time(created));
	json_object_set_new(j, "last_used_at", json_time(used));
	json_object_set_new(j, "expires_at", json_time(expires));
	return j;
}

/* The current secret first, then the old one. */
static json_t *
secrets_json(const struct app_row *row)
{
	json_t *list = json_array();

	if (row->has_secret)
		json_array_append_new(list, secret_json(row->secret_id,
		    row->secret_created_at, row->secret_used_at, 0));
	if (row->has_secret && row->has_old_secret)
		json_array_append_new(list, secret_json(row->old_secret_id,
		    row->old_secret_created_at, row->old_secret_used_at,
		    row->old_secret_expires_at));
	return list;
}

json_t *
app_json(const struct app_row *row)
{
	struct str uris[APP_MAX_REDIRECT_URIS];
	size_t n = apps_redirect_uris(row, uris, APP_MAX_REDIRECT_URIS);
	json_t *list = uri_list(uris, n), *j;
	char created[32];

	clock_rfc3339(row->created_at, created);
	j = json_pack("{s:s, s:s, s:o, s:s, s:o, s:s, s:b, s:b, s:s}",
	    "api_key", row->api_key, "name", row->name,
	    "redirect_uris", list, "public_name", row->public_name,
	    "logo_url", row->logo_url[0] == '\0' ? json_null() :
	    json_string(row->logo_url),
	    "description", row->description,
	    "implicit_flow", row->implicit_flow,
	    "has_secret", row->has_secret,
	    "created_at", created);
	/* a row written before its alg was chosen signs with the default */
	json_object_set_new(j, "id_token_signed_response_alg", json_string(
	    row->id_token_alg[0] != '\0' ? row->id_token_alg : "RS256"));
	n = apps_post_logout_uris(row, uris, APP_MAX_REDIRECT_URIS);
	json_object_set_new(j, "post_logout_redirect_uris", uri_list(uris, n));
	json_object_set_new(j, "device_flow", json_boolean(row->device_flow));
	json_object_set_new(j, "dpop_bound_access_tokens",
	    json_boolean(row->dpop_bound));
	json_object_set_new(j, "require_pushed_authorization_requests",
	    json_boolean(row->require_par));
	json_object_set_new(j, "secrets", secrets_json(row));
	return j;
}
