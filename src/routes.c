#include "routes.h"

#include "api/api.h"
#include "oauth/oauth.h"
#include "portal/page.h"
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
	{ HTTP_GET, "/connections", portal_connections },
	{ HTTP_POST, "/connections/{api_key}/revoke",
	    portal_connection_revoke },

	/* OAuth 2 (SPEC §3) and the built-in API (SPEC §5) */
	{ HTTP_GET, "/.well-known/oauth-authorization-server", oauth_metadata },
	{ HTTP_GET, "/oauth2/authorize", oauth_authorize },
	{ HTTP_POST, "/oauth2/authorize", oauth_authorize_post },
	{ HTTP_POST, "/oauth2/token", oauth_token },
	{ HTTP_POST, "/oauth2/revoke", oauth_revoke },
	{ HTTP_POST, "/oauth2/introspect", oauth_introspect },
	{ HTTP_GET, "/oauth2/check", oauth_check },
	{ HTTP_GET, "/v3/account/summary", oauth_account_summary },

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
	{ HTTP_GET, "/api/v1/connections", api_connections_list },
	{ HTTP_DELETE, "/api/v1/connections/{api_key}",
	    api_connections_delete },
	{ HTTP_GET, "/api/v1/openapi.json", api_openapi },

	/* operations; /metrics has a listener of its own
	 * (http/metrics_server.c) */
	{ HTTP_GET, "/healthz", api_healthz },
	{ HTTP_GET, "/ping", api_ping },
	{ HTTP_POST, "/_test/clock", api_test_clock },
};

const size_t keygate_nroutes = sizeof(keygate_routes) /
    sizeof(keygate_routes[0]);

const http_error_page_fn keygate_error_page = page_error;
