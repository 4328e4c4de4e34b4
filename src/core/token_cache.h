#ifndef KEYGATE_CORE_TOKEN_CACHE_H
#define KEYGATE_CORE_TOKEN_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* An in-memory cache of access-token rows, so that a bearer check need
 * not read the store: 44 bytes a token, sized (--token-cache) to hold
 * every live token of a node and filled at start (tokens_warm). Its rows
 * carry what checks need: family_id, grant_id and family_scope are 0 on a
 * hit. Its two rules:
 * - what can be taken away (revocation, deletion, a new secret) is never
 *   served once the store's revision counter has moved: invalidate() drops
 *   every entry at once, and is called on this node's own revocations and
 *   by the keeper when another node's (or process's) moved the counter;
 * - the latest use of a token known here survives invalidation (it is
 *   merged into the next store read), so a use not yet written is not
 *   forgotten.
 * A NULL cache is valid: every lookup misses. */
struct token_cache;

struct token_cache *token_cache_new(size_t capacity);
void	token_cache_free(struct token_cache *c);

/* What a lookup found. */
struct cache_lookup {
	struct token_row row;	/* on a hit; last_used: the latest use known */
	int64_t		 written;	/* on a hit: latest use known stored */
	int64_t		 known_use;	/* on a miss: latest use remembered */
	uint64_t	 epoch;	/* on a miss: pass to token_cache_put() */
};

/* True on a hit. On a miss the caller reads the store, merges known_use
 * into the row's last use, and may put the row with the lookup's epoch: a
 * row read across an invalidation is then born stale. */
bool	token_cache_get(struct token_cache *c,
	    const unsigned char hash[SECURE_HASH_BYTES],
	    struct cache_lookup *out);
void	token_cache_put(struct token_cache *c,
	    const unsigned char hash[SECURE_HASH_BYTES],
	    const struct token_row *row, int64_t written, uint64_t epoch);
/* Records a use at `now` (and that uses up to `written` are stored) in the
 * token's entry, if it has one. */
void	token_cache_note_use(struct token_cache *c,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t now,
	    int64_t written);
/* The epoch to put rows with that are read from now on. */
uint64_t token_cache_epoch(struct token_cache *c);
/* The epoch while the keeper vouches for the cache, else 0: what other
 * memos of store reads (memo.h) hold under. */
uint64_t token_cache_vouched(struct token_cache *c);
/* Drops every entry (their latest uses are kept). */
void	token_cache_invalidate(struct token_cache *c);
/* token_cache_invalidate() as a store_on_taken() callback. */
void	token_cache_drop(void *c);
/* The keeper vouches for the cache until `until_ms` (CLOCK_MONOTONIC
 * milliseconds) after each poll of the store that succeeded; past it (a
 * keeper that failed, stalled or stopped) every lookup misses. */
void	token_cache_trust_until(struct token_cache *c, int64_t until_ms);

#endif
