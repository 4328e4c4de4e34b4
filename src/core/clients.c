#include "core/clients.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/apps.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/memo.h"
#include "core/throttle.h"
#include "core/token_cache.h"

/* What a client's authentication needs of its app, as memoized. */
struct client {
	int64_t		 id;
	bool		 has_secret;
	bool		 owner_disabled;
	bool		 device_flow;	/* /oauth2/device_authorization */
	unsigned char	 secret_hash[SECURE_HASH_BYTES];
	char		 id_token_alg[APP_ID_TOKEN_ALG_MAX_BYTES + 1];
};

struct memo *
clients_memo_new(void)
{
	return memo_new(1024, APP_API_KEY_MAX_BYTES, sizeof(struct client));
}

/* The app of client_id: from the memo while the store's revision has not
 * moved (a new secret, a deleted app, an owner disabled or enabled, the
 * device flow's switch moves it), else read. On a hit only id, api_key,
 * has_secret, owner_disabled, secret_hash, id_token_alg (the token
 * endpoint's id_token) and device_flow are filled. */
static int
client_app(struct keygate *kg, struct str client_id, struct app_row *app)
{
	uint64_t epoch = token_cache_vouched(kg->cache);
	struct client c;
	size_t len;
	int rc;

	if (memo_get(kg->clients, client_id.p, client_id.len, epoch, &c,
	    &len) && len == sizeof(c)) {
		/* field by field: the row is 27 KB, mostly redirect URIs */
		app->account_id = app->created_at = app->secret_created_at = 0;
		app->name[0] = app->public_name[0] = app->logo_url[0] = '\0';
		app->description[0] = app->redirect_uris[0] = '\0';
		app->post_logout_redirect_uris[0] = '\0';
		memcpy(app->id_token_alg, c.id_token_alg,
		    sizeof(c.id_token_alg));
		app->implicit_flow = false;
		app->device_flow = c.device_flow;
		memset(app->api_key, 0, sizeof(app->api_key));
		app->id = c.id;
		app->has_secret = c.has_secret;
		app->owner_disabled = c.owner_disabled;
		memcpy(app->secret_hash, c.secret_hash, sizeof(c.secret_hash));
		memcpy(app->api_key, client_id.p, client_id.len);
		return 0;
	}
	if ((rc = apps_get(kg, STORE_ANY_ACCOUNT, client_id, app)) != 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.id = app->id;
	c.has_secret = app->has_secret;
	c.owner_disabled = app->owner_disabled;
	c.device_flow = app->device_flow;
	memcpy(c.secret_hash, app->secret_hash, sizeof(c.secret_hash));
	memcpy(c.id_token_alg, app->id_token_alg, sizeof(c.id_token_alg));
	memo_put(kg->clients, client_id.p, client_id.len, epoch, &c,
	    sizeof(c));
	sodium_memzero(&c, sizeof(c));
	return 0;
}

int
clients_authenticate(struct keygate *kg, const char *addr,
    struct str client_id, bool secret_given, struct str secret,
    struct app_row *app, int64_t *retry_after_s)
{
	char akey[96], ckey[160], unit[THROTTLE_ADDR_BYTES];
	int64_t now = clock_now(kg->clock);
	int rc;

	throttle_addr(addr, unit);
	snprintf(akey, sizeof(akey), "client-addr:%s", unit);
	/* Per client and address: a client_id is public, so a count per
	 * client alone would let anyone lock a client out. Checked in
	 * memory and counted on failure only: the token endpoint's good
	 * requests make no shared count (throttle.h). */
	snprintf(ckey, sizeof(ckey), "client-id:%.*s@%s",
	    (int)(client_id.len > 64 ? 64 : client_id.len), client_id.p, unit);
	if (throttle_check(kg->throttle, str_from(akey),
	    THROTTLE_CLIENT_FAILS_PER_ADDRESS, now, retry_after_s) != 0 ||
	    throttle_check(kg->throttle, str_from(ckey),
	    THROTTLE_CLIENT_FAILS_PER_CLIENT, now, retry_after_s) != 0)
		return ERR_THROTTLED;
	rc = client_id.len > APP_API_KEY_MAX_BYTES ? ERR_NOTFOUND :
	    client_app(kg, client_id, app);
	if (rc == 0) {
		if (app->has_secret)
			rc = secret_given && apps_secret_matches(app, secret) ?
			    0 :
			    ERR_AUTH;
		else if (secret_given)
			rc = ERR_AUTH;
	} else if (rc == ERR_NOTFOUND) {
		rc = ERR_AUTH;
	}
	/* A disabled owner's client fails like a wrong secret, but the right
	 * secret guessed nothing: no count against the address. */
	if (rc == 0 && app->owner_disabled)
		return ERR_AUTH;
	if (rc == ERR_AUTH) {
		throttle_hit(kg->throttle, str_from(akey), THROTTLE_WINDOW_S,
		    now);
		throttle_hit(kg->throttle, str_from(ckey), THROTTLE_WINDOW_S,
		    now);
	}
	return rc;
}
