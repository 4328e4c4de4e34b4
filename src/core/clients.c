#include "core/clients.h"

#include <stdio.h>

#include "core/apps.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/throttle.h"

int
clients_authenticate(struct keygate *kg, const char *addr,
    struct str client_id, bool secret_given, struct str secret,
    struct app_row *app, int64_t *retry_after_s)
{
	char akey[96], ckey[128];
	int64_t now = clock_now(kg->clock);
	int rc;

	snprintf(akey, sizeof(akey), "client-addr:%s", addr);
	/* Per client and address: a client_id is public, so a count per
	 * client alone would let anyone lock a client out. */
	snprintf(ckey, sizeof(ckey), "client-id:%.*s@%s",
	    (int)(client_id.len > 64 ? 64 : client_id.len), client_id.p, addr);
	if (throttle_check(kg->throttle, str_from(akey),
	    THROTTLE_CLIENT_FAILS_PER_ADDRESS, now, retry_after_s) != 0 ||
	    throttle_check(kg->throttle, str_from(ckey),
	    THROTTLE_CLIENT_FAILS_PER_CLIENT, now, retry_after_s) != 0)
		return ERR_THROTTLED;
	rc = apps_get(kg, STORE_ANY_ACCOUNT, client_id, app);
	if (rc == 0) {
		if (app->has_secret)
			rc = secret_given ? apps_verify_secret(kg, client_id,
			    secret) : ERR_AUTH;
		else if (secret_given)
			rc = ERR_AUTH;
	} else if (rc == ERR_NOTFOUND) {
		rc = ERR_AUTH;
	}
	if (rc == ERR_AUTH) {
		throttle_hit(kg->throttle, str_from(akey), THROTTLE_WINDOW_S,
		    now);
		throttle_hit(kg->throttle, str_from(ckey), THROTTLE_WINDOW_S,
		    now);
	}
	return rc;
}
