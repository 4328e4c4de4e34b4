/* core/token_cache.c: hits, misses, invalidation that keeps the latest
 * use, rows read across an invalidation born stale, replacement when a
 * set is full, distrust. */
#include "core/token_cache.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A key whose hash part (the last 16 bytes, which the cache keeps)
 * differs for each n; byte 0 stands for a sorted key's time. */
static void
hash_of(unsigned char h[SECURE_HASH_BYTES], unsigned n)
{
	memset(h, 0, SECURE_HASH_BYTES);
	memcpy(h + SECURE_HASH_BYTES - sizeof(n), &n, sizeof(n));
	h[0] = (unsigned char)n;
}

/* A cache the keeper vouches for, as under `serve`. */
static struct token_cache *
trusted_cache(size_t capacity)
{
	struct token_cache *c = token_cache_new(capacity);

	token_cache_trust_until(c, INT64_MAX);
	return c;
}

/* `account` tells rows apart: the cache keeps what checks need, not the
 * family. */
static struct token_row
row_of(int64_t account, int64_t last_used)
{
	struct token_row r;

	memset(&r, 0, sizeof(r));
	r.account_id = account;
	r.app_id = 5;
	r.scope = 3;
	r.iat = 1000;
	r.last_used = last_used;
	snprintf(r.api_key, sizeof(r.api_key), "kg_ak_test");
	return r;
}

/* What a check does on a miss: looks, then puts the row it read with the
 * lookup's epoch. */
static void
read_in(struct token_cache *c, const unsigned char *h,
    const struct token_row *r)
{
	struct cache_lookup look;

	token_cache_get(c, h, &look);
	token_cache_put(c, h, r, 0, look.epoch);
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
	cr_expect_eq(look.row.account_id, 3);
	cr_expect_eq(look.row.app_id, 5);
	cr_expect_eq(look.row.scope, 3);
	cr_expect_eq(look.row.iat, 1000);
	cr_expect_eq(look.row.family_id, 0, "not kept");
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
	read_in(c, h, &r);
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
	read_in(c, h, &r);
	cr_expect_not(token_cache_get(c, h, &look), "no keeper vouched yet");
	token_cache_trust_until(c, INT64_MAX);
	cr_expect(token_cache_get(c, h, &look));
	token_cache_trust_until(c, 1);	/* long past: a stalled keeper */
	cr_expect_not(token_cache_get(c, h, &look));
	token_cache_free(c);
}

Test(token_cache, full_sets_replace_the_least_recently_active)
{
	/* the smallest cache: 128 sets of 8; 4096 rows crowd every set */
	struct token_cache *c = trusted_cache(1);
	unsigned char h[SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r;
	int old_hits = 0, new_hits = 0;

	for (unsigned i = 0; i < 4096; i++) {
		hash_of(h, i + 1);
		r = row_of(i + 1, 0);
		r.iat = 1000 + i;	/* later rows are more recent */
		read_in(c, h, &r);
	}
	for (unsigned i = 0; i < 4096; i++) {
		hash_of(h, i + 1);
		if (!token_cache_get(c, h, &look))
			continue;
		cr_expect_eq(look.row.account_id, i + 1);
		if (i < 1024)
			old_hits++;
		else if (i >= 3072)
			new_hits++;
	}
	cr_expect_eq(old_hits, 0, "the oldest went first");
	cr_expect_gt(new_hits, 900, "the newest stayed: %d", new_hits);
	token_cache_free(c);
}

Test(token_cache, a_cache_sized_for_its_tokens_keeps_them_all)
{
	/* two choices of set: a cache 90% full loses (almost) nothing */
	struct token_cache *c = trusted_cache(100000);
	unsigned char h[SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r = row_of(9, 0);
	int hits = 0;

	for (unsigned i = 0; i < 90000; i++) {
		hash_of(h, i + 1);
		read_in(c, h, &r);
	}
	for (unsigned i = 0; i < 90000; i++) {
		hash_of(h, i + 1);
		hits += token_cache_get(c, h, &look);
	}
	cr_expect_geq(hits, 89900, "kept %d of 90000", hits);
	token_cache_free(c);
}

Test(token_cache, apps_keep_their_keys_and_a_reused_id_takes_the_new_one)
{
	struct token_cache *c = trusted_cache(64);
	unsigned char h1[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r = row_of(1, 0);

	hash_of(h1, 1);
	hash_of(h2, 2);
	for (int64_t app = 1; app <= 200; app++) {
		/* enough apps to grow the side table several times */
		r.app_id = app;
		snprintf(r.api_key, sizeof(r.api_key), "kg_ak_%lld",
		    (long long)app);
		token_cache_put(c, h1, &r, 0, 1);
	}
	cr_assert(token_cache_get(c, h1, &look));
	cr_expect_eq(look.row.app_id, 200);
	cr_expect_str_eq(look.row.api_key, "kg_ak_200");
	r.app_id = 7;
	snprintf(r.api_key, sizeof(r.api_key), "kg_ak_reborn");
	token_cache_put(c, h2, &r, 0, 1);
	cr_assert(token_cache_get(c, h2, &look));
	cr_expect_eq(look.row.app_id, 7);
	cr_expect_str_eq(look.row.api_key, "kg_ak_reborn");
	token_cache_free(c);
}

/* A row read before its app was deleted, put after another app took the
 * id over: it must not lend the old key to the new app's tokens. */
Test(token_cache, a_late_row_never_renames_an_app)
{
	struct token_cache *c = trusted_cache(64);
	unsigned char now_h[SECURE_HASH_BYTES], late_h[SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r = row_of(1, 0);

	hash_of(now_h, 1);
	hash_of(late_h, 2);
	r.app_id = 5;
	snprintf(r.api_key, sizeof(r.api_key), "kg_ak_new");
	token_cache_put(c, now_h, &r, 0, 1);
	snprintf(r.api_key, sizeof(r.api_key), "kg_ak_deleted");
	token_cache_put(c, late_h, &r, 0, 1);
	cr_assert(token_cache_get(c, now_h, &look));
	cr_expect_str_eq(look.row.api_key, "kg_ak_new");
	cr_assert(token_cache_get(c, late_h, &look));
	cr_expect_str_eq(look.row.api_key, "kg_ak_deleted");
	token_cache_free(c);
}

Test(token_cache, rows_that_do_not_fit_a_slot_are_not_kept)
{
	struct token_cache *c = trusted_cache(64);
	unsigned char h[SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r = row_of((int64_t)UINT32_MAX + 1, 0);

	hash_of(h, 1);
	token_cache_put(c, h, &r, 0, 1);
	cr_expect_not(token_cache_get(c, h, &look), "an id past 32 bits");
	token_cache_free(c);
}

/* A thumbprint that says which token it belongs to. */
static void
jkt_of(unsigned char jkt[SECURE_HASH_BYTES], unsigned n)
{
	memset(jkt, 0xa5, SECURE_HASH_BYTES);
	memcpy(jkt, &n, sizeof(n));
}

static struct token_row
bound_row(int64_t account, unsigned n)
{
	struct token_row r = row_of(account, 0);

	r.bound = true;
	jkt_of(r.jkt, n);
	return r;
}

Test(token_cache, bound_rows_keep_their_thumbprint)
{
	struct token_cache *c = trusted_cache(64);
	unsigned char h[SECURE_HASH_BYTES], want[SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r;

	for (unsigned i = 1; i <= 3; i++) {
		hash_of(h, i);
		r = i == 2 ? row_of(i, 0) : bound_row(i, i);
		read_in(c, h, &r);
	}
	for (unsigned i = 1; i <= 3; i++) {
		hash_of(h, i);
		cr_assert(token_cache_get(c, h, &look));
		cr_expect_eq(look.row.account_id, i);
		cr_expect_eq(look.row.bound, i != 2, "token %u", i);
		jkt_of(want, i);
		if (i != 2)
			cr_expect_eq(memcmp(look.row.jkt, want, sizeof(want)),
			    0, "token %u: its own thumbprint", i);
	}
	/* the same token read again, now unbound, then bound to another */
	hash_of(h, 1);
	r = row_of(1, 0);
	read_in(c, h, &r);
	cr_assert(token_cache_get(c, h, &look));
	cr_expect(!look.row.bound);
	r = bound_row(1, 77);
	read_in(c, h, &r);
	cr_assert(token_cache_get(c, h, &look));
	jkt_of(want, 77);
	cr_expect(look.row.bound);
	cr_expect_eq(memcmp(look.row.jkt, want, sizeof(want)), 0);
	token_cache_free(c);
}

/* Eviction, moves between sets and the map's growth and deletions: every
 * hit of a crowded cache still carries its own token's binding. */
Test(token_cache, crowded_bound_tokens_are_never_served_unbound)
{
	struct token_cache *c = trusted_cache(1);
	unsigned char h[SECURE_HASH_BYTES], want[SECURE_HASH_BYTES];
	struct cache_lookup look;
	struct token_row r;
	int hits = 0;

	for (int round = 0; round < 2; round++)
		for (unsigned i = 0; i < 6000; i++) {
			hash_of(h, i + 1);
			r = i % 3 == 0 ? row_of(i + 1, 0) :
			    bound_row(i + 1, i + 1);
			r.iat = 1000 + i + round * 6000;
			read_in(c, h, &r);
		}
	for (unsigned i = 0; i < 6000; i++) {
		hash_of(h, i + 1);
		if (!token_cache_get(c, h, &look))
			continue;
		hits++;
		cr_expect_eq(look.row.account_id, i + 1);
		cr_expect_eq(look.row.bound, i % 3 != 0, "token %u", i + 1);
		jkt_of(want, i + 1);
		if (i % 3 != 0)
			cr_expect_eq(memcmp(look.row.jkt, want, sizeof(want)),
			    0, "token %u: its own thumbprint", i + 1);
	}
	cr_expect_gt(hits, 900, "the cache holds its 1024: %d", hits);
	token_cache_free(c);
}
