#include "routes.h"

#include "api/api.h"
#include "oauth/oauth.h"
#include "portal/page.h"
#include "portal/pages.h"

/* ROUTE_SLOW marks every handler that verifies or hashes a password
 * (accounts_login(), accounts_signup()): it runs on the slow lane, never on
 * a server thread (http/router.h). oauth_cimd_prefetch puts a client
 * metadata document's fetch there too (docs/REFERENCE.md §22.2). */
const struct route keygate_routes[] = {
	/* portal (HTML) */
	{ HTTP_GET, "/", portal_home, ROUTE_FAST, NULL },
	{ HTTP_GET, "/signup", portal_signup_form, ROUTE_FAST, NULL },
	{ HTTP_POST, "/signup", portal_signup, ROUTE_SLOW, NULL },
	{ HTTP_GET, "/login", portal_login_form, ROUTE_FAST, NULL },
	{ HTTP_POST, "/login", portal_login, ROUTE_SLOW, NULL },
	{ HTTP_POST, "/logout", portal_logout, ROUTE_FAST, NULL },
	{ HTTP_POST, "/login/code", portal_login_code, ROUTE_FAST, NULL },
	{ HTTP_GET, "/account/two-step", portal_two_step, ROUTE_FAST, NULL },
	{ HTTP_POST, "/account/two-step", portal_two_step_enrol, ROUTE_FAST, NULL },
	{ HTTP_POST, "/account/two-step/off", portal_two_step_off,
	    ROUTE_SLOW, NULL },
	{ HTTP_GET, "/static/{name}", portal_static, ROUTE_FAST, NULL },
	{ HTTP_GET, "/apps", portal_apps, ROUTE_FAST, NULL },
	{ HTTP_POST, "/apps", portal_app_create, ROUTE_FAST, NULL },
	{ HTTP_GET, "/apps/new", portal_app_new, ROUTE_FAST, NULL },
	{ HTTP_GET, "/apps/{api_key}", portal_app_show, ROUTE_FAST, NULL },
	{ HTTP_POST, "/apps/{api_key}", portal_app_save, ROUTE_FAST, NULL },
	{ HTTP_GET, "/apps/{api_key}/secret",
	    portal_secret_confirm, ROUTE_FAST, NULL },
	{ HTTP_POST, "/apps/{api_key}/secret",
	    portal_secret_generate, ROUTE_FAST, NULL },
	{ HTTP_GET, "/apps/{api_key}/secret/new",
	    portal_secret_reveal, ROUTE_FAST, NULL },
	{ HTTP_GET, "/apps/{api_key}/secrets/{id}/revoke",
	    portal_secret_revoke_form, ROUTE_FAST, NULL },
	{ HTTP_POST, "/apps/{api_key}/secrets/{id}/revoke",
	    portal_secret_revoke, ROUTE_FAST, NULL },
	{ HTTP_GET, "/apps/{api_key}/delete",
	    portal_app_delete_form, ROUTE_FAST, NULL },
	{ HTTP_POST, "/apps/{api_key}/delete", portal_app_delete, ROUTE_FAST, NULL },
	{ HTTP_GET, "/connections", portal_connections, ROUTE_FAST, NULL },
	{ HTTP_POST, "/connections/{api_key}/revoke",
	    portal_connection_revoke, ROUTE_FAST, NULL },
	{ HTTP_GET, "/account", portal_account, ROUTE_FAST, NULL },
	{ HTTP_GET, "/account/events", portal_events, ROUTE_FAST, NULL },
	{ HTTP_POST, "/account/verify-email", portal_account_verify_send,
	    ROUTE_FAST, NULL },
	{ HTTP_POST, "/account/password", portal_account_password,
	    ROUTE_SLOW, NULL },
	{ HTTP_POST, "/account/email", portal_account_email, ROUTE_SLOW, NULL },
	{ HTTP_POST, "/account/sessions/{id}/end", portal_session_end,
	    ROUTE_FAST, NULL },
	{ HTTP_POST, "/account/sessions/end-others",
	    portal_sessions_end_others, ROUTE_FAST, NULL },
	{ HTTP_GET, "/device", portal_device, ROUTE_FAST, NULL },
	{ HTTP_POST, "/device", portal_device_find, ROUTE_FAST, NULL },
	{ HTTP_POST, "/device/decide", portal_device_decide, ROUTE_FAST, NULL },
	{ HTTP_GET, "/password/forgot", portal_forgot_form, ROUTE_FAST, NULL },
	{ HTTP_POST, "/password/forgot", portal_forgot, ROUTE_FAST, NULL },
	{ HTTP_GET, "/password/reset", portal_reset_form, ROUTE_FAST, NULL },
	{ HTTP_POST, "/password/reset", portal_reset, ROUTE_SLOW, NULL },
	{ HTTP_GET, "/verify-email", portal_verify_form, ROUTE_FAST, NULL },
	{ HTTP_POST, "/verify-email", portal_verify, ROUTE_FAST, NULL },

	/* OAuth 2 (docs/REFERENCE.md §3) and the built-in API
	 * (docs/REFERENCE.md §5) */
	{ HTTP_GET, "/.well-known/oauth-authorization-server",
	    oauth_metadata, ROUTE_FAST, NULL },
	{ HTTP_GET, "/.well-known/oauth-protected-resource",
	    oauth_protected_resource, ROUTE_FAST, NULL },
	{ HTTP_GET, "/oauth2/resource-metadata", oauth_resource_metadata,
	    ROUTE_FAST, NULL },
	{ HTTP_GET, "/.well-known/openid-configuration",
	    oauth_openid_configuration, ROUTE_FAST, NULL },
	{ HTTP_GET, "/oauth2/jwks", oauth_jwks, ROUTE_FAST, NULL },
	{ HTTP_GET, "/oauth2/authorize", oauth_authorize, ROUTE_FAST,
	    oauth_cimd_prefetch },
	{ HTTP_POST, "/oauth2/authorize", oauth_authorize_post, ROUTE_SLOW, NULL },
	{ HTTP_POST, "/oauth2/token", oauth_token, ROUTE_FAST,
	    oauth_cimd_prefetch },
	{ HTTP_POST, "/oauth2/par", oauth_par, ROUTE_FAST,
	    oauth_cimd_prefetch },
	{ HTTP_POST, "/oauth2/register", oauth_register, ROUTE_FAST, NULL },
	{ HTTP_POST, "/oauth2/device_authorization", oauth_device_authorization,
	    ROUTE_FAST, oauth_cimd_prefetch },
	{ HTTP_POST, "/oauth2/revoke", oauth_revoke, ROUTE_FAST,
	    oauth_cimd_prefetch },
	{ HTTP_POST, "/oauth2/introspect", oauth_introspect, ROUTE_FAST,
	    oauth_cimd_prefetch },
	{ HTTP_GET, "/oauth2/check", oauth_check, ROUTE_FAST, NULL },
	{ HTTP_GET, "/oauth2/userinfo", oauth_userinfo, ROUTE_FAST, NULL },
	{ HTTP_POST, "/oauth2/userinfo", oauth_userinfo, ROUTE_FAST, NULL },
	{ HTTP_GET, "/oauth2/logout", portal_end_session, ROUTE_FAST, NULL },
	{ HTTP_POST, "/oauth2/logout", portal_end_session_post, ROUTE_FAST, NULL },
	{ HTTP_GET, "/v3/account/summary", oauth_account_summary, ROUTE_FAST, NULL },

	/* developer REST API (JSON, docs/REFERENCE.md §6) */
	{ HTTP_POST, "/api/v1/accounts", api_accounts_create, ROUTE_SLOW, NULL },
	{ HTTP_GET, "/api/v1/account", api_account_get, ROUTE_FAST, NULL },
	{ HTTP_POST, "/api/v1/access-tokens",
	    api_access_tokens_create, ROUTE_SLOW, NULL },
	{ HTTP_GET, "/api/v1/access-tokens",
	    api_access_tokens_list, ROUTE_FAST, NULL },
	{ HTTP_DELETE, "/api/v1/access-tokens/{id}",
	    api_access_tokens_delete, ROUTE_FAST, NULL },
	{ HTTP_GET, "/api/v1/apps", api_apps_list, ROUTE_FAST, NULL },
	{ HTTP_POST, "/api/v1/apps", api_apps_create, ROUTE_FAST, NULL },
	{ HTTP_GET, "/api/v1/apps/{api_key}", api_apps_get, ROUTE_FAST, NULL },
	{ HTTP_PATCH, "/api/v1/apps/{api_key}", api_apps_patch, ROUTE_FAST, NULL },
	{ HTTP_DELETE, "/api/v1/apps/{api_key}", api_apps_delete, ROUTE_FAST, NULL },
	{ HTTP_GET, "/api/v1/apps/{api_key}/usage", api_apps_usage,
	    ROUTE_FAST, NULL },
	{ HTTP_POST, "/api/v1/apps/{api_key}/secret",
	    api_apps_secret, ROUTE_FAST, NULL },
	{ HTTP_DELETE, "/api/v1/apps/{api_key}/secrets/{id}",
	    api_apps_secret_revoke, ROUTE_FAST, NULL },
	{ HTTP_GET, "/api/v1/connections", api_connections_list, ROUTE_FAST, NULL },
	{ HTTP_DELETE, "/api/v1/connections/{api_key}",
	    api_connections_delete, ROUTE_FAST, NULL },
	{ HTTP_GET, "/api/v1/events", api_events_list, ROUTE_FAST, NULL },
	{ HTTP_GET, "/api/v1/openapi.json", api_openapi, ROUTE_FAST, NULL },

	/* operations; /metrics has a listener of its own
	 * (http/metrics_server.c) */
	{ HTTP_GET, "/healthz", api_healthz, ROUTE_FAST, NULL },
	{ HTTP_GET, "/ping", api_ping, ROUTE_FAST, NULL },
	{ HTTP_POST, "/_test/clock", api_test_clock, ROUTE_FAST, NULL },
	{ HTTP_POST, "/_test/mail", api_test_mail, ROUTE_FAST, NULL },
};

const size_t keygate_nroutes = sizeof(keygate_routes) /
    sizeof(keygate_routes[0]);

const http_error_page_fn keygate_error_page = page_error;
