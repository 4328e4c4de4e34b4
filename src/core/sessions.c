#include "core/sessions.h"

#include <sodium.h>

#include "base/clock.h"
#include "base/err.h"
#include "store/store.h"

bool
sessions_alive(int64_t created, int64_t last_seen, int64_t now)
{
	return now < created + SESSION_MAX_TTL_S &&
	    now < last_seen + SESSION_IDLE_TTL_S;
}

int
sessions_start(struct keygate *kg, int64_t account_id,
    char token[TOKEN_MAX_BYTES + 1])
{
	unsigned char hash[SECURE_HASH_BYTES];
	int rc;

	secure_token(SESSION_TOKEN_PREFIX, token);
	secure_hash(str_from(token), hash);
	rc = store_session_insert(kg->store, hash, account_id,
	    clock_now(kg->clock));
	/* After the insert, not before: racing log-ins each trim to the
	 * bound afterwards, so the rows never stay above it. */
	if (rc == 0)
		rc = store_session_trim(kg->store, account_id, hash,
		    SESSIONS_PER_ACCOUNT_MAX);
	return rc;
}

int
sessions_resolve(struct keygate *kg, struct str token, int64_t *account_id)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct session_row row;
	int64_t now = clock_now(kg->clock);
	int rc;

	if (token.len == 0 || token.len > TOKEN_MAX_BYTES ||
	    !str_starts_with(token, SESSION_TOKEN_PREFIX))
		return ERR_NOTFOUND;
	secure_hash(token, hash);
	rc = store_session_get(kg->store, hash, &row);
	if (rc != 0)
		return rc;
	if (!sessions_alive(row.created_at, row.last_seen, now)) {
		store_session_delete(kg->store, hash);
		return ERR_NOTFOUND;
	}
	if (now - row.last_seen >= SESSION_TOUCH_INTERVAL_S &&
	    (rc = store_session_touch(kg->store, hash, now)) != 0)
		return rc;
	*account_id = row.account_id;
	return 0;
}

int
sessions_end(struct keygate *kg, struct str token)
{
	unsigned char hash[SECURE_HASH_BYTES];

	if (token.len == 0 || token.len > TOKEN_MAX_BYTES)
		return 0;
	secure_hash(token, hash);
	return store_session_delete(kg->store, hash);
}
