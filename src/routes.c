#include "routes.h"

#include "api/api.h"
#include "portal/pages.h"

const struct route keygate_routes[] = {
	/* portal (HTML) */
	{ HTTP_GET, "/", portal_home },
	{ HTTP_GET, "/signup", portal_signup_form },
	{ HTTP_POST, "/signup", portal_signup },
	{ HTTP_GET, "/login", portal_login_form },
	{ HTTP_POST, "/login", portal_login },
	{ HTTP_POST, "/logout", portal_logout },
	{ HTTP_GET, "/static/{name}", portal_static },
	{ HTTP_GET, "/apps", portal_apps },
	{ HTTP_POST, "/apps", portal_app_create },
	{ HTTP_GET, "/apps/new", portal_app_new },
	{ HTTP_GET, "/apps/{api_key}", portal_app_show },
	{ HTTP_POST, "/apps/{api_key}", portal_app_save },
	{ HTTP_GET, "/apps/{api_key}/secret", portal_secret_confirm },
	{ HTTP_POST, "/apps/{api_key}/secret", portal_secret_generate },
	{ HTTP_GET, "/apps/{api_key}/secret/new", portal_secret_reveal },
	{ HTTP_GET, "/apps/{api_key}/delete", portal_app_delete_form },
	{ HTTP_POST, "/apps/{api_key}/delete", portal_app_delete },

	/* developer REST API (JSON, SPEC §6) */
	{ HTTP_POST, "/api/v1/accounts", api_accounts_create },
	{ HTTP_POST, "/api/v1/access-tokens", api_access_tokens_create },
	{ HTTP_GET, "/api/v1/access-tokens", api_access_tokens_list },
	{ HTTP_DELETE, "/api/v1/access-tokens/{id}", api_access_tokens_delete },
	{ HTTP_GET, "/api/v1/apps", api_apps_list },
	{ HTTP_POST, "/api/v1/apps", api_apps_create },
	{ HTTP_GET, "/api/v1/apps/{api_key}", api_apps_get },
	{ HTTP_PATCH, "/api/v1/apps/{api_key}", api_apps_patch },
	{ HTTP_DELETE, "/api/v1/apps/{api_key}", api_apps_delete },
	{ HTTP_POST, "/api/v1/apps/{api_key}/secret", api_apps_secret },

	/* operations (SPEC §7) */
	{ HTTP_GET, "/healthz", api_healthz },
	{ HTTP_POST, "/_test/clock", api_test_clock },
};

const size_t keygate_nroutes = sizeof(keygate_routes) /
    sizeof(keygate_routes[0]);
