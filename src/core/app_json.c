#include "core/app_json.h"

#include "core/apps.h"
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
	return j;
}
