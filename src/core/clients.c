#include "core/clients.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/apps.h"
#include "core/cimd_client.h"
#include "core/cimd_rules.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/memo.h"
#include "core/throttle.h"
#include "core/token_cache.h"

/* What a client's authentication needs of its app, as memoized: both
 * secrets, and when each was last recorded as used (by this node's write
 * or the store's row), so that a use is written at most once a minute. */
struct client {
	int64_t		 id;
	bool		 has_secret;
	bool		 has_old_secret;
	bool		 owner_disabled;
	bool		 device_flow;	/* /oauth2/device_authorization */
	bool		 dpop_bound;	/* the token endpoint demands a proof */
	bool		 require_par;	/* /oauth2/par answers the same app */
	unsigned char	 secret_hash[SECURE_HASH_BYTES];
	unsigned char	 old_secret_hash[SECURE_HASH_BYTES];
	int64_t		 secret_id, secret_used_at;
	int64_t		 old_secret_id, old_secret_used_at;
	int64_t		 old_secret_expires_at;
	char		 id_token_alg[APP_ID_TOKEN_ALG_MAX_BYTES + 1];
};

/* A secret's use is recorded when the one stored is older than this:
 * "last used" is exact to a minute (docs/REFERENCE.md §16) and the token
 * endpoint does not write on every request. */
#define SECRET_USE_GRAIN_S	60

struct memo *
clients_memo_new(void)
{
	return memo_new(1024, APP_API_KEY_MAX_BYTES, sizeof(struct client));
}

static void
client_from_row(struct client *c, const struct app_row *app)
{
	memset(c, 0, sizeof(*c));
	c->id = app->id;
	c->has_secret = app->has_secret;
	c->has_old_secret = app->has_old_secret;
	c->owner_disabled = app->owner_disabled;
	c->device_flow = app->device_flow;
	c->dpop_bound = app->dpop_bound;
	c->require_par = app->require_par;
	memcpy(c->secret_hash, app->secret_hash, sizeof(c->secret_hash));
	memcpy(c->old_secret_hash, app->old_secret_hash,
	    sizeof(c->old_secret_hash));
	c->secret_id = app->secret_id;
	c->secret_used_at = app->secret_used_at;
	c->old_secret_id = app->old_secret_id;
	c->old_secret_used_at = app->old_secret_used_at;
	c->old_secret_expires_at = app->old_secret_expires_at;
	memcpy(c->id_token_alg, app->id_token_alg, sizeof(c->id_token_alg));
}

/* field by field: the row is 27 KB, mostly redirect URIs */
static void
row_from_client(struct app_row *app, const struct client *c,
    struct str client_id)
{
	app->account_id = app->created_at = app->secret_created_at = 0;
	app->old_secret_created_at = 0;
	app->name[0] = app->public_name[0] = app->logo_url[0] = '\0';
	app->description[0] = app->redirect_uris[0] = '\0';
	app->post_logout_redirect_uris[0] = '\0';
	memcpy(app->id_token_alg, c->id_token_alg, sizeof(c->id_token_alg));
	app->implicit_flow = false;
	memset(app->api_key, 0, sizeof(app->api_key));
	app->id = c->id;
	app->has_secret = c->has_secret;
	app->has_old_secret = c->has_old_secret;
	app->owner_disabled = c->owner_disabled;
	app->device_flow = c->device_flow;
	app->dpop_bound = c->dpop_bound;
	app->require_par = c->require_par;
	memcpy(app->secret_hash, c->secret_hash, sizeof(c->secret_hash));
	memcpy(app->old_secret_hash, c->old_secret_hash,
	    sizeof(c->old_secret_hash));
	app->secret_id = c->secret_id;
	app->secret_used_at = c->secret_used_at;
	app->old_secret_id = c->old_secret_id;
	app->old_secret_used_at = c->old_secret_used_at;
	app->old_secret_expires_at = c->old_secret_expires_at;
	memcpy(app->api_key, client_id.p, client_id.len);
}

/* The app of client_id: from the memo while the store's revision has not
 * moved (a new secret, an old one revoked, a deleted app, an owner
 * disabled or enabled, the device flow's switch moves it), else read. On a hit only the fields
 * struct client holds and api_key are filled. *epoch: what it was read
 * under. */
static int
client_app(struct keygate *kg, struct str client_id, struct app_row *app,
    uint64_t *epoch)
{
	struct client c;
	size_t len;
	int rc;

	*epoch = token_cache_vouched(kg->cache);
	if (memo_get(kg->clients, client_id.p, client_id.len, *epoch, &c,
	    &len) && len == sizeof(c)) {
		row_from_client(app, &c, client_id);
		sodium_memzero(&c, sizeof(c));
		return 0;
	}
	rc = apps_get(kg, STORE_ANY_ACCOUNT, client_id, app);
	/* a document client's row gone while this node holds its document */
	if (rc == ERR_NOTFOUND && cimd_client_restore(kg, client_id) == 0)
		rc = apps_get(kg, STORE_ANY_ACCOUNT, client_id, app);
	if (rc != 0)
		return rc;
	client_from_row(&c, app);
	memo_put(kg->clients, client_id.p, client_id.len, *epoch, &c,
	    sizeof(c));
	sodium_memzero(&c, sizeof(c));
	return 0;
}

/* Records the use of secret number `which` when the time known for it is
 * a minute old, and keeps the new time in the memo. A failed write is
 * tried again on the next use; it never fails the authentication. */
static void
secret_used(struct keygate *kg, struct str client_id, struct app_row *app,
    uint64_t epoch, int64_t which, int64_t now)
{
	int64_t *at = which == app->secret_id ? &app->secret_used_at :
	    &app->old_secret_used_at;
	struct client c;

	if (now - *at < SECRET_USE_GRAIN_S ||
	    store_app_secret_used(kg->store, app->id, which, now) != 0)
		return;
	*at = now;
	client_from_row(&c, app);
	memo_put(kg->clients, client_id.p, client_id.len, epoch, &c,
	    sizeof(c));
	sodium_memzero(&c, sizeof(c));
}

int
clients_authenticate(struct keygate *kg, const char *addr,
    struct str client_id, bool secret_given, struct str secret,
    struct app_row *app, int64_t *retry_after_s)
{
	char akey[96], ckey[160], unit[THROTTLE_ADDR_BYTES];
	int64_t now = clock_now(kg->clock), which = 0;
	uint64_t epoch = 0;
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
	/* a document's app under --no-cimd is no client (§22.2) */
	rc = client_id.len > APP_API_KEY_MAX_BYTES || (kg->cimd == NULL &&
	    cimd_is_url(client_id)) ? ERR_NOTFOUND :
	    client_app(kg, client_id, app, &epoch);
	if (rc == 0) {
		if (app->has_secret)
			rc = secret_given && (which = apps_secret_which(app,
			    secret, now)) != 0 ? 0 : ERR_AUTH;
		else if (secret_given)
			rc = ERR_AUTH;
	} else if (rc == ERR_NOTFOUND) {
		rc = ERR_AUTH;
	}
	/* A disabled owner's client fails like a wrong secret, but the right
	 * secret guessed nothing: no count against the address. */
	if (rc == 0 && app->owner_disabled)
		return ERR_AUTH;
	if (rc == 0 && which != 0)
		secret_used(kg, client_id, app, epoch, which, now);
	if (rc == ERR_AUTH) {
		throttle_hit(kg->throttle, str_from(akey), THROTTLE_WINDOW_S,
		    now);
		throttle_hit(kg->throttle, str_from(ckey), THROTTLE_WINDOW_S,
		    now);
	}
	return rc;
}
