/* Access tokens in use: read from the token cache or the store, judged
 * against their lifetime and binding, their uses recorded, the cache
 * warmed at start, introspection. Issuing and revoking are in tokens.c. */
#include "core/scopes.h"
#include "core/tokens.h"

#include <sodium.h>
#include <stdatomic.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/metrics.h"
#include "core/token_cache.h"
#include "core/usage.h"
#include "core/uses.h"

/* The lifetime rule as configured. */
static void
lifetime_of(const struct keygate *kg, struct lifetime *out)
{
	out->unused_ttl_s = kg->cfg->token_unused_ttl_s;
	out->idle_ttl_s = kg->cfg->token_idle_ttl_s;
	out->max_ttl_s = kg->cfg->token_max_ttl_s;
}

/* The row of an access token, from the cache when it has it, else from
 * the store (then cached). *written gets the latest use known to be
 * stored. `fresh` skips the cache. */
static int
access_row(struct keygate *kg, const unsigned char *hash, bool fresh,
    struct token_row *out, int64_t *written)
{
	struct cache_lookup look;
	int rc;

	if (token_cache_get(kg->cache, hash, &look) && !fresh) {
		metrics_inc(METRIC_CACHE_HITS);
		*out = look.row;
		*written = look.written;
		return 0;
	}
	if (kg->cache != NULL)
		metrics_inc(METRIC_CACHE_MISSES);
	if ((rc = store_access_get(kg->store, hash, out)) != 0)
		return rc;
	*written = out->last_used;
	if (look.known_use > out->last_used)
		out->last_used = look.known_use;
	token_cache_put(kg->cache, hash, out, *written, look.epoch);
	return 0;
}

/* Records a use at `now`: at once with --use-coalesce 0 or --token-cache
 * 0, else queued for
 * the use log, and only when the last one logged is at least
 * uses_log_every_s() old (the use is remembered here meanwhile). */
static int
record_use(struct keygate *kg, const unsigned char *hash, int64_t written,
    int64_t now)
{
	int64_t every = uses_log_every_s(kg->cfg->use_coalesce_s);
	int rc = 0;

	/* Without a cache this node would forget a use until the log is
	 * folded: then every use is written at once. */
	if (kg->uses == NULL || kg->cache == NULL ||
	    kg->cfg->use_coalesce_s == 0) {
		if ((rc = store_access_touch(kg->store, hash, now)) == 0)
			written = now;
	} else if (written == 0 || now - written >= every) {
		if ((rc = uses_record(kg->uses, hash, now)) == 0)
			written = now;
	}
	token_cache_note_use(kg->cache, hash, now, written);
	return rc;
}

/* Reads an access token and judges it at `now`: *alive says whether it is
 * unrevoked and within its lifetime. A token expired by what this node
 * knew is read again from the store: another node may have recorded a
 * later use. A revoked one is not: nothing un-revokes a token (or enables
 * its account) without moving the revision, which drops the cache, and a
 * disabled account's clients may check thousands of them. `fresh` reads
 * the store at once (for answers that state the expiry, which uses on
 * other nodes move). */
static int
judge_access(struct keygate *kg, const unsigned char *hash, int64_t now,
    bool fresh, struct token_row *out, int64_t *written, bool *alive)
{
	struct lifetime lt;
	int rc;

	lifetime_of(kg, &lt);
	for (int look = fresh ? 1 : 0; look < 2; look++) {
		if ((rc = access_row(kg, hash, look > 0, out, written)) != 0)
			return rc;
		*alive = !out->revoked &&
		    lifetime_alive(&lt, out->iat, out->last_used, now);
		if (*alive || out->revoked || kg->cache == NULL)
			break;
	}
	return 0;
}

int
tokens_use_key(struct keygate *kg, struct str token, unsigned how,
    unsigned aud, const unsigned char *jkt, struct token_row *out)
{
	unsigned char hash[SECURE_HASH_BYTES];
	int64_t now = clock_now(kg->clock), written;
	enum usage_kind ok = how & TOKENS_API ? USAGE_API_OK : USAGE_CHECK_OK;
	enum usage_kind refused = how & TOKENS_API ? USAGE_API_401 :
	    USAGE_CHECK_401;
	bool alive;
	int rc;

	if (!tokens_key_of(token, TOKENS_ACCESS_PREFIX, hash))
		return ERR_AUTH;
	rc = judge_access(kg, hash, now, false, out, &written, &alive);
	if (rc == ERR_NOTFOUND)
		return ERR_AUTH;
	if (rc != 0)
		return rc;
	/* An expired token is never revived: it is refused before any use
	 * is recorded. */
	if (!alive) {
		if (!out->revoked)
			metrics_inc(METRIC_TOKENS_EXPIRED);
		usage_count(kg, out->app_id, refused, now);
		return ERR_AUTH;
	}
	/* a bound token stolen and sent as Bearer is no use to the thief,
	 * and keeps no life from the attempt (RFC 9449 §7.1) */
	if (out->bound && (jkt == NULL ||
	    sodium_memcmp(jkt, out->jkt, SECURE_HASH_BYTES) != 0)) {
		usage_count(kg, out->app_id, refused, now);
		return ERR_FORBIDDEN;
	}
	if (!(scopes_audience(out->scope) & aud)) {
		usage_count(kg, out->app_id, refused, now);
		return ERR_AUTH;
	}
	if (!(how & TOKENS_RECORD))
		return 0;
	if ((rc = record_use(kg, hash, written, now)) == 0)
		usage_count(kg, out->app_id, ok, now);
	return rc;
}

#define WARM_PAGE	5000

long
tokens_warm(struct keygate *kg, const _Atomic bool *stop)
{
	unsigned char after[SECURE_HASH_BYTES] = { 0 };
	uint64_t epoch;
	struct live_token *rows;
	struct lifetime lt;
	int64_t now = clock_now(kg->clock);
	long cached = 0, max = kg->cfg->token_cache;
	size_t n = WARM_PAGE;

	lifetime_of(kg, &lt);
	while (kg->cache != NULL && n == WARM_PAGE && cached < max &&
	    !atomic_load(stop)) {
		/* per page: a revocation meanwhile spoils this page only */
		epoch = token_cache_epoch(kg->cache);
		if (store_access_page(kg->store, after, now - lt.max_ttl_s,
		    WARM_PAGE, &rows, &n) != 0)
			return -1;
		for (size_t i = 0; i < n && cached < max; i++) {
			struct token_row *r = &rows[i].row;

			if (!lifetime_alive(&lt, r->iat, r->last_used, now))
				continue;
			token_cache_put(kg->cache, rows[i].hash, r,
			    r->last_used, epoch);
			cached++;
		}
		if (n > 0)
			memcpy(after, rows[n - 1].hash, sizeof(after));
		free(rows);
	}
	return cached;
}

int
tokens_flush_uses(struct keygate *kg)
{
	return usage_settle(kg);
}

int
tokens_introspect(struct keygate *kg, const struct app_row *app,
    struct str token, struct introspection *out)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct lifetime lt;
	int64_t now = clock_now(kg->clock), idle, written;
	int rc = ERR_NOTFOUND;

	memset(out, 0, sizeof(*out));
	if (tokens_key_of(token, TOKENS_ACCESS_PREFIX, hash)) {
		/* exp counts every use. One node on SQLite knows them all;
		 * nodes sharing PostgreSQL read what the others folded. */
		rc = judge_access(kg, hash, now, store_is_shared(kg->store),
		    &out->row, &written, &out->active);
		lifetime_of(kg, &lt);
		out->exp = lifetime_expiry(&lt, out->row.iat,
		    out->row.last_used);
	} else if (tokens_key_of(token, TOKENS_REFRESH_PREFIX, hash)) {
		rc = store_refresh_get(kg->store, hash, &out->row);
		idle = kg->cfg->refresh_idle_ttl_s;
		out->is_refresh = true;
		out->exp = idle > 0 ? out->row.iat + idle : 0;
		out->active = rc == 0 && !out->row.revoked &&
		    out->row.last_used == 0 && (idle == 0 || now < out->exp);
	}
	if (rc != 0 && rc != ERR_NOTFOUND)
		return rc;
	/* RFC 7662 §2.2: another client's token is simply not active. */
	if (rc != 0 || out->row.app_id != app->id)
		out->active = false;
	/* the asking app is known here: all its questions count */
	usage_count(kg, app->id, out->active ? USAGE_CHECK_OK :
	    USAGE_CHECK_401, now);
	return 0;
}
