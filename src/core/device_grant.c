#include "core/resources.h"
#include "core/device_grant.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/metrics.h"
#include "core/apps.h"
#include "core/events.h"
#include "core/scopes.h"
#include "core/throttle.h"
#include "core/verification.h"

/* A fresh user code: letters drawn uniformly (no modulo bias) from the
 * 20 consonants RFC 8628 §6.1 suggests, so no word can be spelled. */
static void
draw_user_code(char out[STORE_USER_CODE_MAX + 1])
{
	const char *set = DEVICE_USER_CODE_LETTERS;
	uint32_t n = (uint32_t)strlen(set);

	for (int i = 0; i < DEVICE_USER_CODE_LEN; i++)
		out[i] = set[randombytes_uniform(n)];
	out[DEVICE_USER_CODE_LEN] = '\0';
}

/* "BCDF-GHJK" as a person reads it. */
static void
shown(const char *code, char out[DEVICE_USER_CODE_BYTES])
{
	snprintf(out, DEVICE_USER_CODE_BYTES, "%.4s-%.4s", code, code + 4);
}

/* As a person typed it: case, spaces and dashes ignored. False when it
 * cannot be a user code (then no store is asked). */
static bool
normalized(struct str typed, char out[STORE_USER_CODE_MAX + 1])
{
	size_t n = 0;

	for (size_t i = 0; i < typed.len; i++) {
		char ch = typed.p[i];

		if (ch == '-' || ch == ' ' || ch == '\t')
			continue;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (n == DEVICE_USER_CODE_LEN || ch == '\0' ||
		    strchr(DEVICE_USER_CODE_LETTERS, ch) == NULL)
			return false;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n == DEVICE_USER_CODE_LEN;
}

/* Counts a start against its address: every grant is a row kept a day,
 * so starts are bounded however right they are. */
static int
take_start(struct keygate *kg, const char *addr, int64_t *retry_after_s)
{
	char key[96], unit[THROTTLE_ADDR_BYTES];
	struct throttle_ticket tk;

	throttle_addr(addr, unit);
	snprintf(key, sizeof(key), "device-start:%s", unit);
	return throttle_take(kg->throttle, str_from(key),
	    THROTTLE_DEVICE_STARTS_PER_ADDRESS, THROTTLE_WINDOW_S,
	    clock_now(kg->clock), retry_after_s, &tk);
}

int
device_grant_start(struct keygate *kg, const struct app_row *app,
    const char *addr, struct str scope, struct str resource,
    struct device_start *out, const char **why, int64_t *retry_after_s)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct device_row row;
	int rc = ERR_EXISTS;

	if (!app->device_flow)
		return ERR_FORBIDDEN;
	memset(&row, 0, sizeof(row));
	if (scopes_parse(scope, &row.scope) != 0) {
		*why = "A requested scope is unknown or repeated.";
		return ERR_INVALID;
	}
	if ((rc = resources_request(resource, &row.scope, why)) != 0)
		return rc;
	if (take_start(kg, addr, retry_after_s) != 0)
		return ERR_THROTTLED;
	rc = ERR_EXISTS;
	row.app_id = app->id;
	row.created_at = clock_now(kg->clock);
	row.expires_at = row.created_at + DEVICE_CODE_TTL_S;
	row.interval_s = DEVICE_POLL_INTERVAL_S;
	secure_token(DEVICE_CODE_PREFIX, out->device_code);
	secure_token_key(str_from(out->device_code),
	    strlen(DEVICE_CODE_PREFIX), hash);
	/* 20^8 codes: a collision with a live one is rare, two in a row
	 * rarer still; a taken code is never handed out twice */
	for (int tries = 0; rc == ERR_EXISTS && tries < 4; tries++) {
		draw_user_code(row.user_code);
		rc = store_device_insert(kg->store, hash, &row);
	}
	if (rc != 0) {
		sodium_memzero(out, sizeof(*out));
		return rc == ERR_EXISTS ? ERR_STORE : rc;
	}
	shown(row.user_code, out->user_code);
	out->expires_in = DEVICE_CODE_TTL_S;
	out->interval = DEVICE_POLL_INTERVAL_S;
	return 0;
}

/* Takes one attempt from the account's and the address's counts of wrong
 * codes; ERR_THROTTLED when either is spent (nothing counted then). */
static int
take_attempt(struct keygate *kg, int64_t account_id, const char *addr,
    struct throttle_ticket tk[2], int64_t *retry_after_s)
{
	char akey[48], ukey[96], unit[THROTTLE_ADDR_BYTES];
	int64_t now = clock_now(kg->clock);
	int rc;

	throttle_addr(addr, unit);
	snprintf(akey, sizeof(akey), "device-acct:%lld",
	    (long long)account_id);
	snprintf(ukey, sizeof(ukey), "device-addr:%s", unit);
	rc = throttle_take(kg->throttle, str_from(akey),
	    THROTTLE_DEVICE_CODES_PER_ACCOUNT, THROTTLE_WINDOW_S, now,
	    retry_after_s, &tk[0]);
	if (rc != 0)
		return rc;
	rc = throttle_take(kg->throttle, str_from(ukey),
	    THROTTLE_DEVICE_CODES_PER_ADDRESS, THROTTLE_WINDOW_S, now,
	    retry_after_s, &tk[1]);
	if (rc != 0)
		throttle_give_back(kg->throttle, &tk[0]);
	return rc;
}

int
device_grant_find(struct keygate *kg, int64_t account_id, const char *addr,
    struct str user_code, struct device_pending *out, int64_t *retry_after_s)
{
	char code[STORE_USER_CODE_MAX + 1];
	struct throttle_ticket tk[2];
	struct device_row row;
	int rc;

	memset(tk, 0, sizeof(tk));
	if ((rc = take_attempt(kg, account_id, addr, tk, retry_after_s)) != 0)
		return rc;
	rc = !normalized(user_code, code) ? ERR_NOTFOUND :
	    store_device_find(kg->store, code, clock_now(kg->clock), &row);
	if (rc == 0)
		rc = apps_get(kg, STORE_ANY_ACCOUNT, str_from(row.api_key),
		    &out->app);
	if (rc == 0) {
		out->scope = row.scope;
		out->expires_at = row.expires_at;
		memcpy(out->user_code, row.user_code, sizeof(row.user_code));
	}
	/* only a wrong code counts: a right one, or a store that failed,
	 * gives its attempt back */
	if (rc != ERR_NOTFOUND) {
		throttle_give_back(kg->throttle, &tk[0]);
		throttle_give_back(kg->throttle, &tk[1]);
	}
	return rc;
}

int
device_grant_decide(struct keygate *kg, int64_t account_id,
    const char *addr, struct str user_code, bool approve, int64_t auth_time,
    unsigned amr)
{
	char code[STORE_USER_CODE_MAX + 1];
	struct device_decision d;
	struct event_new ev;
	int rc;

	if (!normalized(user_code, code))
		return ERR_NOTFOUND;
	if (approve && (rc = verification_required(kg, account_id)) != 0)
		return rc;
	memset(&d, 0, sizeof(d));
	d.approve = approve;
	d.account_id = account_id;
	d.auth_time = auth_time;
	d.amr = amr;
	d.now = clock_now(kg->clock);
	/* the app and its scope are the grant's, which the store reads */
	event_make(&ev, kg, EVENT_GRANT_GIVEN, account_id, addr);
	event_detail_str(&ev, "flow", "device");
	return store_device_decide(kg->store, code, &d, &ev);
}

int
device_grant_poll(struct keygate *kg, const struct app_row *app,
    struct str device_code, struct str resource,
    const struct token_proof *proof, enum device_poll *poll,
    struct token_pair *out, const char **why)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct device_row row;
	int64_t now = clock_now(kg->clock);
	int rc;

	*poll = DEVICE_POLL_INVALID;
	*why = "The device code is not valid.";
	if (device_code.len > TOKEN_MAX_BYTES ||
	    !str_starts_with(device_code, DEVICE_CODE_PREFIX))
		return 0;
	secure_token_key(device_code, strlen(DEVICE_CODE_PREFIX), hash);
	/* another client's device code is not found, and not touched */
	rc = store_device_poll(kg->store, hash, app->id, now,
	    DEVICE_SLOW_DOWN_STEP_S, &row);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (now >= row.expires_at)
		*poll = DEVICE_POLL_EXPIRED;
	else if (row.state == STORE_DEVICE_DENIED)
		*poll = DEVICE_POLL_DENIED;
	else if (row.state == STORE_DEVICE_PENDING)
		*poll = row.slow_down ? DEVICE_POLL_SLOW_DOWN :
		    DEVICE_POLL_PENDING;
	else if ((rc = tokens_exchange_hash(kg, app, hash, resource, proof,
	    out, why)) == 0)
		*poll = DEVICE_POLL_TOKENS;
	return rc == ERR_INVALID ? 0 : rc;
}
