/* The store contract, throttle counters: one atomic count per call, a
 * fixed window, an undo bound to its window, and expiry. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "base/err.h"

static void
key_of(int n, unsigned char key[STORE_THROTTLE_KEY_BYTES])
{
	memset(key, 0, STORE_THROTTLE_KEY_BYTES);
	key[0] = (unsigned char)n;
	key[31] = 0x5a;
}

static int64_t
add(const unsigned char *key, int64_t now, int64_t *window_end)
{
	int64_t count = -1, end = -1;

	cr_assert_eq(store_throttle_add(st, key, now, 900, &count, &end), 0);
	if (window_end != NULL)
		*window_end = end;
	return count;
}

STORE_TEST(throttle, counts_in_a_fixed_window, contract_setup)
{
	unsigned char a[STORE_THROTTLE_KEY_BYTES], b[STORE_THROTTLE_KEY_BYTES];
	int64_t end;

	key_of(1, a);
	key_of(2, b);
	cr_expect_eq(add(a, T0, &end), 1);
	cr_expect_eq(end, T0 + 900);
	cr_expect_eq(add(a, T0 + 899, &end), 2, "the window runs on");
	cr_expect_eq(end, T0 + 900, "a count does not move the window");
	cr_expect_eq(add(b, T0 + 10, NULL), 1, "keys count apart");
	cr_expect_eq(add(a, T0 + 900, &end), 1, "a new window at its end");
	cr_expect_eq(end, T0 + 1800);
}

STORE_TEST(throttle, undo_is_bound_to_its_window, contract_setup)
{
	unsigned char a[STORE_THROTTLE_KEY_BYTES];
	int64_t end, end2;

	key_of(3, a);
	add(a, T0, &end);
	add(a, T0, NULL);
	cr_assert_eq(store_throttle_undo(st, a, end), 0);
	cr_expect_eq(add(a, T0 + 1, NULL), 2, "one taken back");
	add(a, T0 + 900, &end2);
	cr_assert_eq(store_throttle_undo(st, a, end), 0);
	cr_expect_eq(add(a, T0 + 901, NULL), 2,
	    "an old window's undo leaves the new one");
	cr_assert_eq(store_throttle_clear(st, a), 0);
	cr_expect_eq(add(a, T0 + 902, &end2), 1, "cleared");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(store_throttle_undo(st, a, end2), 0);
	cr_expect_eq(add(a, T0 + 903, NULL), 1, "never below zero");
}

STORE_TEST(throttle, expire_deletes_ended_windows_in_batches,
    contract_setup)
{
	unsigned char k[STORE_THROTTLE_KEY_BYTES];
	size_t removed;

	for (int i = 10; i < 15; i++) {
		key_of(i, k);
		add(k, T0, NULL);
	}
	key_of(20, k);
	add(k, T0 + 500, NULL);
	cr_assert_eq(store_throttle_expire(st, T0 + 899, 10, &removed), 0);
	cr_expect_eq(removed, 0, "no window ended yet");
	cr_assert_eq(store_throttle_expire(st, T0 + 900, 3, &removed), 0);
	cr_expect_eq(removed, 3);
	cr_assert_eq(store_throttle_expire(st, T0 + 900, 3, &removed), 0);
	cr_expect_eq(removed, 2);
	cr_expect_eq(add(k, T0 + 900, NULL), 2, "a live one stays");
}

struct racer {
	struct store	*st;
	int64_t		 max;
};

static void *
race(void *arg)
{
	struct racer *r = arg;
	unsigned char k[STORE_THROTTLE_KEY_BYTES];
	int64_t count, end;

	key_of(30, k);
	for (int i = 0; i < 25; i++) {
		cr_assert_eq(store_throttle_add(r->st, k, T0, 900, &count,
		    &end), 0);
		if (count > r->max)
			r->max = count;
	}
	return NULL;
}

/* Two handles (two nodes) counting one key at once lose no count. */
STORE_TEST(throttle, parallel_counts_are_all_kept, contract_setup)
{
	struct racer r[2] = { { st, 0 }, { contract_reopen(), 0 } };
	pthread_t th[2];

	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, race, &r[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	store_close(r[1].st);
	cr_expect_eq(r[0].max > r[1].max ? r[0].max : r[1].max, 50);
}

/* DPoP proofs claimed at the token endpoint: one claim wins, a live
 * claim refuses another, an expired one is taken over, gc removes the
 * expired ones. */
STORE_TEST(throttle, dpop_jti_claimed_once, contract_setup)
{
	unsigned char a[SECURE_HASH_BYTES], b[SECURE_HASH_BYTES];
	struct store_horizon h = { .at = T0 + 200 };
	size_t removed = 0;

	key_of(7, a);
	key_of(8, b);
	cr_assert_eq(store_dpop_jti_claim(st, a, T0 + 61, T0), 0);
	cr_expect_eq(store_dpop_jti_claim(st, a, T0 + 70, T0 + 9), ERR_EXISTS);
	cr_expect_eq(store_dpop_jti_claim(st, a, T0 + 70, T0 + 60), ERR_EXISTS,
	    "live until its expiry");
	cr_expect_eq(store_dpop_jti_claim(st, b, T0 + 70, T0 + 9), 0);
	cr_expect_eq(store_dpop_jti_claim(st, a, T0 + 122, T0 + 61), 0,
	    "an expired claim is taken over");
	cr_expect_eq(store_dpop_jti_claim(st, a, T0 + 130, T0 + 62),
	    ERR_EXISTS);
	cr_assert_eq(store_gc(st, STORE_GC_DPOP, &h, 100, &removed), 0);
	cr_expect_eq(removed, 2);
	cr_expect_eq(store_dpop_jti_claim(st, b, T0 + 300, T0 + 200), 0);
}
