#include "cli/cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "core/scopes.h"
#include "core/throttle.h"
#include "store/store.h"

/* Processes sharing the store count together, under a key they share. */
static int
open_throttle(struct keygate *kg)
{
	unsigned char key[SECURE_KEY_BYTES] = { 0 };

	if (store_is_shared(kg->store)) {
		if (store_server_key(kg->store, "throttle", key) != 0)
			return -1;
		kg->throttle = throttle_new(kg->store, key);
		sodium_memzero(key, sizeof(key));
	} else {
		kg->throttle = throttle_new(NULL, key);
	}
	return 0;
}

int
cli_open(struct keygate *kg, const struct config *cfg)
{
	char err[512], where[512];
	int applied;

	memset(kg, 0, sizeof(*kg));
	kg->cfg = cfg;
	if (secure_init() != 0) {
		fprintf(stderr, "keygate: cannot initialize libsodium\n");
		return 1;
	}
	store_url_redacted(cfg->db, where, sizeof(where));
	if (store_open(cfg->db, &kg->store, err, sizeof(err)) != 0) {
		fprintf(stderr, "keygate: %s\n", err);
		return 1;
	}
	if (store_migrate(kg->store, &applied) != 0 ||
	    store_server_key(kg->store, "csrf", kg->csrf_key) != 0 ||
	    store_server_key(kg->store, "reveal", kg->reveal_key) != 0 ||
	    store_server_key(kg->store, "totp", kg->totp_key) != 0) {
		fprintf(stderr, "keygate: cannot prepare the store %s\n",
		    where);
		store_close(kg->store);
		return 1;
	}
	if (applied > 0)
		log_msg("info", "applied %d migration(s) to %s", applied,
		    where);
	kg->clock = clock_new(cfg->test_clock);
	if (open_throttle(kg) != 0) {
		fprintf(stderr, "keygate: cannot prepare the store %s\n",
		    where);
		clock_free(kg->clock);
		store_close(kg->store);
		return 1;
	}
	return 0;
}

void
cli_close(struct keygate *kg)
{
	store_close(kg->store);
	clock_free(kg->clock);
	throttle_free(kg->throttle);
	sodium_memzero(kg->csrf_key, sizeof(kg->csrf_key));
	sodium_memzero(kg->reveal_key, sizeof(kg->reveal_key));
	sodium_memzero(kg->totp_key, sizeof(kg->totp_key));
	scopes_forget();
}
