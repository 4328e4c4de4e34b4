/* core/token_cache.c: hits, misses, invalidation that keeps the latest
 * use, rows read across an invalidation born stale, replacement when a
 * set is full, distrust. */
#include "core/token_cache.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void
hash_of(unsigned char h[SECURE_HASH_BYTES], unsigned n)
{
	memset(h, 0, SECURE_HASH_BYTES);
	memcpy(h, &n, sizeof(n));
	h[31] = (unsigned char)n;
}

/* A cache the keeper vouches for, as under `serve`. */
static struct token_cache *
trusted_cache(size_t capacity)
{
	struct token_cache *c = token_cache_new(capacity);

	token_cache_trust_until(c, INT64_MAX);
	return c;
}

static struct token_row
row_of(int64_t family, int64_t last_used)
{
	struct token_row r;

	memset(&r, 0, sizeof(r));
	r.family_id = family;
	r.account_id = 7;
	r.iat = 1000;
	r.last_used = last_used;
	snprintf(r.api_key, sizeof(r.api_key), "kg_ak_test");
	return r;
}

Test(token_cache, null_cache_always_misses)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r = row_of(1, 0);

	hash_of(h, 1);
	token_cache_put(NULL, h, &r, 0, 1);
	token_cache_note_use(NULL, h, 5, 5);
	token_cache_invalidate(NULL);
	cr_expect_not(token_cache_get(NULL, h, &look));
	cr_expect_eq(look.known_use, 0);
	cr_expect_null(token_cache_new(0));
}

Test(token_cache, put_then_hit)
{
	struct token_cache *c = trusted_cache(64);
	unsigned char h[SECURE_HASH_BYTES], other[SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r = row_of(3, 0);

	hash_of(h, 1);
	hash_of(other, 2);
	cr_assert_not(token_cache_get(c, h, &look));
	token_cache_put(c, h, &r, 0, look.epoch);
	cr_assert(token_cache_get(c, h, &look));
	cr_expect_eq(look.row.family_id, 3);
	cr_expect_str_eq(look.row.api_key, "kg_ak_test");
	cr_expect_eq(look.written, 0);
	cr_expect_not(token_cache_get(c, other, &look));
	token_cache_free(c);
}

Test(token_cache, uses_are_noted_and_survive_invalidation)
{
	struct token_cache *c = trusted_cache(64);
	unsigned char h[SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r = row_of(3, 0);

	hash_of(h, 1);
	token_cache_get(c, h, &look);
	token_cache_put(c, h, &r, 0, look.epoch);
	token_cache_note_use(c, h, 1500, 1200);
	token_cache_note_use(c, h, 1400, 0);	/* never backwards */
	cr_assert(token_cache_get(c, h, &look));
	cr_expect_eq(look.row.last_used, 1500);
	cr_expect_eq(look.written, 1200);
	token_cache_invalidate(c);
	cr_expect_not(token_cache_get(c, h, &look), "dropped");
	cr_expect_eq(look.known_use, 1500, "the latest use is remembered");
	/* what the caller then reads and puts back keeps that use */
	r.last_used = 1200;
	token_cache_put(c, h, &r, 1200, look.epoch);
	cr_assert(token_cache_get(c, h, &look));
	cr_expect_eq(look.row.last_used, 1500);
	token_cache_free(c);
}

Test(token_cache, a_row_read_across_an_invalidation_is_born_stale)
{
	struct token_cache *c = trusted_cache(64);
	unsigned char h[SECURE_HASH_BYTES];
	struct cache_lookup look, again;
	struct token_row r = row_of(3, 0);

	hash_of(h, 1);
	cr_assert_not(token_cache_get(c, h, &look));
	token_cache_invalidate(c);	/* a revocation while we read */
	token_cache_put(c, h, &r, 0, look.epoch);
	cr_expect_not(token_cache_get(c, h, &again));
	token_cache_put(c, h, &r, 0, again.epoch);
	cr_expect(token_cache_get(c, h, &again));
	token_cache_free(c);
}

Test(token_cache, unvouched_cache_misses)
{
	struct token_cache *c = token_cache_new(64);
	unsigned char h[SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r = row_of(3, 0);

	hash_of(h, 1);
	token_cache_get(c, h, &look);
	token_cache_put(c, h, &r, 0, look.epoch);
	cr_expect_not(token_cache_get(c, h, &look), "no keeper vouched yet");
	token_cache_trust_until(c, INT64_MAX);
	cr_expect(token_cache_get(c, h, &look));
	token_cache_trust_until(c, 1);	/* long past: a stalled keeper */
	cr_expect_not(token_cache_get(c, h, &look));
	token_cache_free(c);
}

Test(token_cache, a_full_set_replaces_its_oldest)
{
	/* capacity 4 = one set of four: every hash lands in it */
	struct token_cache *c = trusted_cache(4);
	unsigned char h[6][SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r;
	int hits = 0;

	for (unsigned i = 0; i < 6; i++) {
		hash_of(h[i], i + 1);
		r = row_of(i + 1, 0);
		token_cache_get(c, h[i], &look);
		token_cache_put(c, h[i], &r, 0, look.epoch);
	}
	cr_expect_not(token_cache_get(c, h[0], &look), "oldest went");
	cr_expect_not(token_cache_get(c, h[1], &look));
	for (unsigned i = 2; i < 6; i++)
		if (token_cache_get(c, h[i], &look)) {
			hits++;
			cr_expect_eq(look.row.family_id, i + 1);
		}
	cr_expect_eq(hits, 4);
	token_cache_free(c);
}
