#include "core/sessions.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/utf8.h"
#include "core/events.h"
#include "store/store.h"

bool
sessions_alive(int64_t created, int64_t last_seen, int64_t now)
{
	return now < created + SESSION_MAX_TTL_S &&
	    now < last_seen + SESSION_IDLE_TTL_S;
}

/* The length of the UTF-8 sequence `lead` begins, 0 for a byte that
 * begins none; utf8_valid() judges the rest. */
static size_t
sequence_len(unsigned char lead)
{
	return lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 :
	    lead >= 0xe0 && lead <= 0xef ? 3 :
	    lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
}

void
sessions_clean(struct str in, char *out, size_t max)
{
	size_t i = 0, o = 0;

	while (i < in.len && o < max) {
		unsigned char c = (unsigned char)in.p[i];
		size_t n = sequence_len(c);

		if (n == 1 && c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else if (n > 1 && i + n <= in.len &&
		    utf8_valid((struct str){ in.p + i, n })) {
			if (o + n > max)
				break;	/* never cut inside a character */
			memcpy(out + o, in.p + i, n);
			o += n;
			i += n;
			continue;
		} else {
			out[o++] = '?';
		}
		i++;
	}
	out[o] = '\0';
}

int
sessions_start(struct keygate *kg, int64_t account_id, unsigned amr,
    const char *addr, struct str user_agent, char token[TOKEN_MAX_BYTES + 1])
{
	unsigned char hash[SECURE_HASH_BYTES];
	char where[SESSION_ADDRESS_MAX_BYTES + 1];
	char browser[SESSION_USER_AGENT_MAX_BYTES + 1];
	struct session_origin from = { where, browser, amr };
	struct event_new ev;
	int rc;

	sessions_clean(str_from(addr), where, SESSION_ADDRESS_MAX_BYTES);
	sessions_clean(user_agent, browser, SESSION_USER_AGENT_MAX_BYTES);
	secure_token(SESSION_TOKEN_PREFIX, token);
	secure_hash(str_from(token), hash);
	event_make(&ev, kg, EVENT_LOGIN, account_id, where);
	event_detail_bool(&ev, "two_step", (amr & AMR_OTP) != 0);
	rc = store_session_insert(kg->store, hash, account_id,
	    clock_now(kg->clock), &from, &ev);
	/* After the insert, not before: racing log-ins each trim to the
	 * bound afterwards, so the rows never stay above it. */
	if (rc == 0)
		rc = store_session_trim(kg->store, account_id, hash,
		    SESSIONS_PER_ACCOUNT_MAX);
	return rc;
}

int
sessions_resolve(struct keygate *kg, struct str token,
    struct session_row *out)
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
	*out = row;
	return 0;
}

int
sessions_reauth(struct keygate *kg, struct str token, unsigned amr)
{
	unsigned char hash[SECURE_HASH_BYTES];

	if (token.len == 0 || token.len > TOKEN_MAX_BYTES)
		return ERR_NOTFOUND;
	secure_hash(token, hash);
	return store_session_reauth(kg->store, hash, clock_now(kg->clock),
	    amr);
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

void
sessions_id(const struct session_row *row, char out[SESSION_ID_CHARS + 1])
{
	sodium_bin2hex(out, SESSION_ID_CHARS + 1, row->hash, SECURE_HASH_BYTES);
}

bool
sessions_is(const struct session_row *row, struct str token)
{
	unsigned char hash[SECURE_HASH_BYTES];

	if (token.len == 0 || token.len > TOKEN_MAX_BYTES)
		return false;
	secure_hash(token, hash);
	return sodium_memcmp(hash, row->hash, SECURE_HASH_BYTES) == 0;
}

/* The rows the store lists that are still alive: an ended one may wait
 * for `keygate gc`. */
int
sessions_list(struct keygate *kg, int64_t account_id,
    struct session_row **rows, size_t *n)
{
	int64_t now = clock_now(kg->clock);
	size_t kept = 0;
	int rc;

	rc = store_session_list(kg->store, account_id,
	    SESSIONS_PER_ACCOUNT_MAX, rows, n);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < *n; i++)
		if (sessions_alive((*rows)[i].created_at,
		    (*rows)[i].last_seen, now))
			(*rows)[kept++] = (*rows)[i];
	*n = kept;
	return 0;
}

int
sessions_end_id(struct keygate *kg, int64_t account_id, const char *addr,
    struct str id, struct str current)
{
	unsigned char hash[SECURE_HASH_BYTES], mine[SECURE_HASH_BYTES];
	struct event_new ev;
	size_t len = 0;

	if (id.len != SESSION_ID_CHARS ||
	    sodium_hex2bin(hash, sizeof(hash), id.p, id.len, NULL, &len,
	    NULL) != 0 || len != sizeof(hash))
		return ERR_NOTFOUND;
	secure_hash(current, mine);
	event_make(&ev, kg, EVENT_SESSION_ENDED, account_id, addr);
	event_detail_str(&ev, "which", sodium_memcmp(hash, mine,
	    SECURE_HASH_BYTES) == 0 ? "this" : "other");
	return store_session_end(kg->store, account_id, hash, &ev);
}

int
sessions_end_others(struct keygate *kg, int64_t account_id,
    const char *addr, struct str keep)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct event_new ev;

	bool none_kept = keep.len == 0 || keep.len > TOKEN_MAX_BYTES;

	/* "all" when no session is kept: the detail says what was done */
	event_make(&ev, kg, EVENT_SESSION_ENDED, account_id, addr);
	event_detail_str(&ev, "which", none_kept ? "all" : "others");
	if (none_kept)
		return store_session_end_others(kg->store, account_id, NULL,
		    &ev);
	secure_hash(keep, hash);
	return store_session_end_others(kg->store, account_id, hash, &ev);
}
