/* JSON request bodies: parsed as request_json() does (an object, no
 * repeated keys, UTF-8), then read the way the sign-up and app handlers
 * read them, each string through the rule that judges it, and the 422
 * answer's fields serialized. */
#include "fuzz.h"

#include <jansson.h>

#include "api/api.h"
#include "core/accounts.h"
#include "core/app_rules.h"

static const char *const known[] = { "email", "password", "name",
	"public_name", "logo_url", "description", "redirect_uris",
	"implicit_flow", NULL };

static void
read_uris(json_t *body)
{
	json_t *v = json_object_get(body, "redirect_uris"), *u;
	struct str uris[APP_MAX_REDIRECT_URIS];
	size_t i, n = 0;

	if (!json_is_array(v))
		return;
	json_array_foreach(v, i, u) {
		if (!json_is_string(u))
			return;
		if (n < APP_MAX_REDIRECT_URIS)
			uris[n++] = (struct str){ json_string_value(u),
			    json_string_length(u) };
	}
	app_rule_redirect_uris(uris, n);
}

static void
read_body(json_t *body, json_t *fields)
{
	char email[ACCOUNT_EMAIL_MAX_BYTES + 1];
	const char *why;
	struct str s[6];
	bool has[6];

	for (size_t i = 0; i < 6; i++)
		api_take_string(body, known[i], fields, &s[i], &has[i]);
	if (has[0])
		accounts_normalize_email(s[0], email, &why);
	if (has[1])
		accounts_check_password(s[1], &why);
	if (has[2])
		app_rule_name(s[2]);
	if (has[3])
		app_rule_public_name(s[3], "keygate");
	if (has[4])
		app_rule_logo_url(s[4]);
	if (has[5])
		app_rule_description(s[5]);
	read_uris(body);
	api_refuse_unknown(body, known, fields);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *body, *fields;
	char *out;

	body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &e);
	if (body == NULL)
		return 0;
	if (json_is_object(body)) {
		fields = json_object();
		read_body(body, fields);
		out = json_dumps(fields, JSON_COMPACT);
		FUZZ_CHECK(out != NULL);
		free(out);
		json_decref(fields);
	}
	json_decref(body);
	return 0;
}
