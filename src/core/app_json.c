#include "core/app_json.h"

#include "core/apps.h"
#include "base/clock.h"

json_t *
app_json(const struct app_row *row)
{
	struct str uris[APP_MAX_REDIRECT_URIS];
	size_t n = apps_redirect_uris(row, uris, APP_MAX_REDIRECT_URIS);
	json_t *list = json_array();
	char created[32];

	for (size_t i = 0; i < n && i < APP_MAX_REDIRECT_URIS; i++)
		json_array_append_new(list, json_stringn(uris[i].p,
		    uris[i].len));
	clock_rfc3339(row->created_at, created);
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:s, s:b, s:b, s:s}",
	    "api_key", row->api_key, "name", row->name,
	    "redirect_uris", list, "public_name", row->public_name,
	    "logo_url", row->logo_url[0] == '\0' ? json_null() :
	    json_string(row->logo_url),
	    "description", row->description,
	    "implicit_flow", row->implicit_flow,
	    "has_secret", row->has_secret,
	    "created_at", created);
}
