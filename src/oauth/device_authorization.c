/* POST /oauth2/device_authorization (RFC 8628 §3.1, §3.2;
 * docs/REFERENCE.md §15.1). The token endpoint's device_code grant is in
 * token.c. */
#include "oauth/oauth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/err.h"
#include "base/mem.h"
#include "core/device_grant.h"
#include "core/scopes.h"

enum { D_SCOPE, D_CLIENT_ID, D_CLIENT_SECRET, D_RESOURCE, D_COUNT };

static const struct param_spec device_spec[D_COUNT] = {
	[D_SCOPE] = { "scope", SCOPES_TEXT_MAX, false },
	[D_CLIENT_ID] = { "client_id", APP_API_KEY_MAX_BYTES, false },
	[D_CLIENT_SECRET] = { "client_secret", TOKEN_MAX_BYTES, false },
	/* RFC 8707: repeatable, joined by params_join() */
	[D_RESOURCE] = { "resource", RESOURCES_TEXT_MAX, false },
};

static void
answer(struct request *req, struct response *res,
    const struct device_start *d)
{
	const char *iss = req->kg->cfg->issuer;
	json_t *j;

	j = json_pack("{s:s, s:s, s:o, s:o, s:I, s:I}",
	    "device_code", d->device_code, "user_code", d->user_code,
	    "verification_uri", json_sprintf("%s/device", iss),
	    "verification_uri_complete", json_sprintf("%s/device?user_code=%s",
	    iss, d->user_code),
	    "expires_in", (json_int_t)d->expires_in,
	    "interval", (json_int_t)d->interval);
	response_json(res, 200, j);
	oauth_no_store(res);
}

void
oauth_device_authorization(struct request *req, struct response *res)
{
	struct app_row *app = xmalloc(sizeof(*app));
	struct device_start d;
	struct str in[D_COUNT];
	const char *why = NULL;
	int64_t wait = 0;
	char num[24];
	int rc;

	/* client authentication as at the token endpoint: a public app
	 * sends its client_id alone (RFC 8628 §3.1) */
	if (!oauth_form(req, res, device_spec, D_COUNT, in) ||
	    !oauth_client(req, res, in[D_CLIENT_ID], in[D_CLIENT_SECRET], app))
		goto out;
	rc = device_grant_start(req->kg, app, req->client_addr, in[D_SCOPE],
	    in[D_RESOURCE], &d, &why, &wait);
	if (rc == 0)
		answer(req, res, &d);
	else if (rc == ERR_FORBIDDEN)
		oauth_error(res, 400, "unauthorized_client", "This "
		    "application has not enabled the device flow.");
	else if (rc == ERR_INVALID)
		oauth_error(res, 400, "invalid_scope", why);
	else if (rc == ERR_TARGET)
		oauth_error(res, 400, "invalid_target", why);
	else if (rc == ERR_THROTTLED) {
		oauth_error(res, 429, "slow_down", "Too many device grants "
		    "started from this address; wait before trying again.");
		snprintf(num, sizeof(num), "%lld", (long long)wait);
		response_header(res, "Retry-After", num);
	} else
		oauth_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached; try again soon.");
	sodium_memzero(&d, sizeof(d));
out:
	free(app);
}
