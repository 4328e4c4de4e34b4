#include "core/pats.h"

#include <stdio.h>

#include "base/clock.h"
#include "base/err.h"
#include "core/events.h"
#include "core/throttle.h"

int
pats_issue(struct keygate *kg, int64_t account_id, const char *addr,
    char token[TOKEN_MAX_BYTES + 1], struct pat_row *row,
    int64_t *retry_after_s)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct throttle_ticket tk;
	struct event_new ev;
	char key[48];
	int64_t now = clock_now(kg->clock);
	int rc;

	/* Counted before the insert, so parallel requests cannot pass the
	 * limit; a failed insert makes no token and is taken back. */
	snprintf(key, sizeof(key), "pat-new:%lld", (long long)account_id);
	rc = throttle_take(kg->throttle, str_from(key),
	    THROTTLE_PATS_PER_ACCOUNT, THROTTLE_PATS_WINDOW_S, now,
	    retry_after_s, &tk);
	if (rc != 0)
		return rc;
	secure_token(PAT_PREFIX, token);
	secure_hash(str_from(token), hash);
	event_make(&ev, kg, EVENT_PAT_CREATED, account_id, addr);
	rc = store_pat_insert(kg->store, account_id, hash, now,
	    PATS_PER_ACCOUNT_MAX, &row->id, &ev);
	if (rc != 0) {
		throttle_give_back(kg->throttle, &tk);
		return rc;
	}
	row->account_id = account_id;
	row->created_at = now;
	row->last_used_at = 0;
	return 0;
}

int
pats_authenticate(struct keygate *kg, const char *addr, struct str token,
    int64_t *account_id, int64_t *retry_after_s)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct pat_row row;
	char key[96], unit[THROTTLE_ADDR_BYTES];
	int64_t now = clock_now(kg->clock);
	int rc;

	/* Only failures count: a good token costs no shared count. */
	throttle_addr(addr, unit);
	snprintf(key, sizeof(key), "pat-addr:%s", unit);
	if (throttle_check(kg->throttle, str_from(key),
	    THROTTLE_FAILS_PER_ADDRESS, now, retry_after_s) != 0)
		return ERR_THROTTLED;
	rc = ERR_NOTFOUND;
	if (token.len <= TOKEN_MAX_BYTES &&
	    str_starts_with(token, PAT_PREFIX)) {
		secure_hash(token, hash);
		rc = store_pat_by_hash(kg->store, hash, &row);
	}
	if (rc == ERR_NOTFOUND) {
		throttle_hit(kg->throttle, str_from(key), THROTTLE_WINDOW_S,
		    now);
		return ERR_AUTH;
	}
	if (rc != 0)
		return rc;
	/* last_used_at is advisory: rewrite it at most once a minute. */
	if (now - row.last_used_at >= PAT_TOUCH_INTERVAL_S)
		store_pat_touch(kg->store, row.id, now);
	*account_id = row.account_id;
	return 0;
}

int
pats_list(struct keygate *kg, int64_t account_id,
    const struct store_page *page, struct pat_row **rows, size_t *n)
{
	return store_pat_list(kg->store, account_id, page, rows, n);
}

int
pats_revoke(struct keygate *kg, int64_t account_id, const char *addr,
    int64_t id)
{
	struct event_new ev;

	event_make(&ev, kg, EVENT_PAT_REVOKED, account_id, addr);
	event_detail_int(&ev, "id", id);
	return store_pat_delete(kg->store, account_id, id, &ev);
}
